using Coinshard.Storage.Tests.Conformance;

namespace Coinshard.Storage.Tests;

/// <summary>
/// Entry point of the test assembly when run as a program: the crash-safety tests start it as a
/// child process ("crash-writer", "crash-loader") that stops inside a write transaction until it is killed.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == CrashWriter.Verb)
        {
            return CrashWriter.RunAsync(args[1], args[2]).GetAwaiter().GetResult();
        }
        if (args.Length == 2 && args[0] == CrashLoader.Verb)
        {
            return CrashLoader.RunAsync(args[1]).GetAwaiter().GetResult();
        }
        Console.Error.WriteLine("this assembly holds the storage tests; run them with 'dotnet test'");
        return 2;
    }
}
