using Coinshard.Chain.Encoding;

namespace Coinshard.Cli;

/// <summary>Reads a command's data argument: a file path, or '-' for standard input; raw bytes or hex text.</summary>
internal static class CliInput
{
    /// <summary>Reads at most <paramref name="maxBytes"/> bytes from the file or standard input ('-').</summary>
    public static byte[] ReadAll(string pathOrDash, CliConsole console, int maxBytes)
    {
        using var stream = pathOrDash == "-" ? console.OpenInput() : OpenFile(pathOrDash);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new CliUsageException($"{Describe(pathOrDash)} is larger than {maxBytes:N0} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Hex text (optionally surrounded by whitespace) is decoded; anything else is taken as raw bytes.
    /// Raw blocks and transactions always contain bytes that are not hex digits (the version's zeros).
    /// </summary>
    public static byte[] HexOrRaw(byte[] data)
    {
        var text = System.Text.Encoding.ASCII.GetString(data).Trim();
        return text.Length > 0 && text.All(char.IsAsciiHexDigit) ? Hex.Decode(text) : data;
    }

    private static FileStream OpenFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"file not found: {path}");
        }
        return File.OpenRead(path);
    }

    private static string Describe(string pathOrDash) => pathOrDash == "-" ? "standard input" : pathOrDash;
}
