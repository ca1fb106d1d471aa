using System.Diagnostics;
using System.Text.Json;

namespace Coinshard.Cli.Tests;

/// <summary>Runs the command line in-process, or as the real built executable.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    public static async Task<Result> RunWithInputAsync(byte[] stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, () => new MemoryStream(stdin, writable: false), output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static Task<Result> RunAsync(params string[] args) => RunWithInputAsync([], args);

    /// <summary>Runs the built `coinshard` program (apphost next to the test assembly) as a child process.</summary>
    public static async Task<Result> RunProcessAsync(params string[] args)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "coinshard");
        var info = new ProcessStartInfo(File.Exists(exe) ? exe : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (!File.Exists(exe))
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coinshard.dll"));
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);
}
