using System.Security.Cryptography;
using System.Text;

using Coinshard.Node.Configuration;

namespace Coinshard.Node.Admin;

/// <summary>The admin API's bearer token: configured, read from a file, or generated at start-up into the data directory.</summary>
public sealed class AdminToken
{
    private readonly byte[] _token;

    private AdminToken(string token) => _token = Encoding.UTF8.GetBytes(token);

    /// <summary>Obtains the token <paramref name="settings"/> describe (writing a new one when it is generated).</summary>
    /// <exception cref="IOException">The token file cannot be read or written, or is empty.</exception>
    public static AdminToken Obtain(AdminSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        switch (settings.TokenSource)
        {
            case AdminTokenSource.Configured:
                return new AdminToken(settings.Token!);
            case AdminTokenSource.File:
                string text;
                try
                {
                    text = File.ReadAllText(settings.TokenFile!).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new IOException($"cannot read the admin token file {settings.TokenFile}: {e.Message}", e);
                }
                return text.Length >= AdminSettings.MinTokenLength
                    ? new AdminToken(text)
                    : throw new IOException($"the admin token file {settings.TokenFile} holds fewer than {AdminSettings.MinTokenLength} characters");
            default:
                var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                Write(settings.TokenFile!, token);
                return new AdminToken(token);
        }
    }

    /// <summary>True when <paramref name="presented"/> is the token (constant time).</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        return CryptographicOperations.FixedTimeEquals(bytes, _token);
    }

    private static void Write(string path, string token)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            // Readable by the owner only, like Core's .cookie; written whole, then renamed into place.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(token + "\n"));
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the admin token file {path}: {e.Message}", e);
        }
    }
}
