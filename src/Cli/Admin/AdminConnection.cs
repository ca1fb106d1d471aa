using System.CommandLine;

using Coinshard.Node.Configuration;

namespace Coinshard.Cli.Admin;

/// <summary>
/// How a command reaches a node's admin API: <c>--admin URL</c> (or <c>COINSHARD_ADMIN_URL</c>), and the token
/// from <c>--token</c>, <c>COINSHARD_ADMIN_TOKEN</c>, or the node's data directory (<c>--data-dir</c>,
/// <c>COINSHARD_DATA_DIR</c>, default <c>~/.coinshard</c>) where a node writes <c>admin.token</c>.
/// </summary>
internal sealed class AdminConnection
{
    public Option<string?> Url { get; } = new("--admin") { Description = $"The node's admin API (default $COINSHARD_ADMIN_URL or http://127.0.0.1:{AdminDefaults.Port})." };

    public Option<string?> Token { get; } = new("--token") { Description = "The admin token (default $COINSHARD_ADMIN_TOKEN, else the data directory's admin.token)." };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "The node's data directory, to read its admin.token (default $COINSHARD_DATA_DIR or ~/.coinshard)." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON instead of a table." };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Token);
        command.Options.Add(DataDir);
        command.Options.Add(Json);
    }

    public AdminClient Open(ParseResult parse, Func<string, string?> environment)
    {
        var urlText = parse.GetValue(Url) ?? environment("COINSHARD_ADMIN_URL") ?? $"http://127.0.0.1:{AdminDefaults.Port}/";
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"--admin '{urlText}' is not an http(s) URL");
        }
        return new AdminClient(url, ResolveToken(parse, environment));
    }

    private string ResolveToken(ParseResult parse, Func<string, string?> environment)
    {
        if (parse.GetValue(Token) is { Length: > 0 } token)
        {
            return token.Trim();
        }
        if (environment("COINSHARD_ADMIN_TOKEN") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }
        var dataDir = parse.GetValue(DataDir) ?? environment("COINSHARD_DATA_DIR") ?? AdminDefaults.DataDir;
        var file = Path.Combine(NodeSettings.ExpandHome(dataDir), AdminDefaults.TokenFileName);
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"no admin token: pass --token, set COINSHARD_ADMIN_TOKEN, or point --data-dir at the node's data directory ({file}: {e.Message})");
        }
    }
}
