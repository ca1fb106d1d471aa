namespace Coinshard.TestSupport;

/// <summary>A fresh directory under the system temp folder, deleted (with everything in it) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates <c>$TMPDIR/coinshard-tests/&lt;prefix&gt;-&lt;random&gt;</c>.</summary>
    public TempDirectory(string prefix = "tmp")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coinshard-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc />
    public void Dispose()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(Path))
                {
                    Directory.Delete(Path, recursive: true);
                }
                return;
            }
            catch (IOException) when (attempt < 4)
            {
                Thread.Sleep(100 * (attempt + 1)); // a process that just died may still hold a file
            }
            catch (UnauthorizedAccessException) when (attempt < 4)
            {
                Thread.Sleep(100 * (attempt + 1));
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Path;
}
