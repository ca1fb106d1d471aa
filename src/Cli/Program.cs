using Coinshard.Cli;

return await CliApp.RunAsync(args, Console.OpenStandardInput, Console.Out, Console.Error).ConfigureAwait(false);
