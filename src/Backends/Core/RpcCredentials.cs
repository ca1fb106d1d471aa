namespace Coinshard.Backends.Core;

/// <summary>
/// How to authenticate to a Core node: a fixed user and password (<c>rpcuser</c>/<c>rpcpassword</c>
/// or <c>rpcauth</c>), or the <c>.cookie</c> file the node writes at start-up and replaces on each restart.
/// <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class RpcCredentials
{
    private readonly string? _user;
    private readonly string? _password;

    private RpcCredentials(string? user, string? password, string? cookieFile)
    {
        _user = user;
        _password = password;
        CookieFile = cookieFile;
    }

    /// <summary>Path of the node's cookie file, or null for user/password credentials.</summary>
    public string? CookieFile { get; }

    /// <summary>Fixed credentials.</summary>
    public static RpcCredentials FromUserPassword(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        if (user.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("an RPC user name cannot contain ':'", nameof(user));
        }
        return new RpcCredentials(user, password, null);
    }

    /// <summary>
    /// Credentials read from the node's cookie file (<c>&lt;datadir&gt;/[chain/].cookie</c>), re-read when
    /// the node rejects the cached ones, because a restarted node writes a new cookie.
    /// </summary>
    public static RpcCredentials FromCookieFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new RpcCredentials(null, null, path);
    }

    /// <summary>The fixed user and password; null for cookie credentials.</summary>
    internal (string User, string Password)? Fixed => _user is null ? null : (_user, _password!);

    /// <inheritdoc />
    public override string ToString() => CookieFile is null ? $"user '{_user}' with password" : $"cookie file {CookieFile}";
}
