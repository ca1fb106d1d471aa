using System.CommandLine;
using System.Text.Json;

using Coinshard.Chain;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;

namespace Coinshard.Cli.Commands;

/// <summary>`coinshard decode block FILE|- [--network NAME]`: a raw block's transactions, inputs and outputs.</summary>
internal static class DecodeBlockCommand
{
    /// <summary>Largest input accepted: a 4 MB block as hex is 8 MB; Litecoin MWEB blocks add their extension.</summary>
    public const int MaxInputBytes = 64 * 1024 * 1024;

    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "File with the raw block (bytes or hex), or - for standard input." };
        var network = DecodeCommands.NetworkOption("Network whose rules to parse with (Litecoin allows MWEB); tried Bitcoin then Litecoin when omitted.");
        var command = new Command("block", "Print a raw block's hash, parent, merkle root and every transaction's inputs and outputs.")
        {
            file,
            network,
        };
        command.SetAction(parse =>
        {
            var bytes = CliInput.HexOrRaw(CliInput.ReadAll(parse.GetRequiredValue(file), console, MaxInputBytes));
            var block = Parse(bytes, DecodeCommands.ResolveNetwork(parse.GetValue(network)));
            JsonOutput.Write(console.Out, json => Write(json, block, bytes.Length));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// With no network, Bitcoin's rules first, then Litecoin's (which add MWEB); when both fail, the
    /// error of the attempt that got further into the data is the more telling one.
    /// </summary>
    private static Block Parse(byte[] bytes, Network? network)
    {
        if (network is not null)
        {
            return Block.Parse(bytes, network);
        }
        try
        {
            return Block.Parse(bytes, Currency.Bitcoin);
        }
        catch (ChainFormatException bitcoinError)
        {
            try
            {
                return Block.Parse(bytes, Currency.Litecoin);
            }
            catch (ChainFormatException litecoinError)
            {
                throw (litecoinError.Offset ?? -1) > (bitcoinError.Offset ?? -1) ? litecoinError : bitcoinError;
            }
        }
    }

    private static void Write(Utf8JsonWriter json, Block block, int size)
    {
        json.WriteStartObject();
        json.WriteString("hash", block.Hash.ToString());
        json.WriteString("prev", block.Header.PreviousBlockHash.ToString());
        json.WriteString("merkle_root", block.Header.MerkleRoot.ToString());
        json.WriteNumber("version", block.Header.Version);
        json.WriteNumber("time", block.Header.Time);
        json.WriteString("bits", block.Header.Bits.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("nonce", block.Header.Nonce);
        json.WriteNumber("size", size);
        json.WriteNumber("tx_count", block.Transactions.Count);
        json.WriteStartArray("tx");
        foreach (var tx in block.Transactions)
        {
            WriteTransaction(json, tx);
        }
        json.WriteEndArray();
        if (block.Mweb is { } mweb)
        {
            WriteMweb(json, mweb);
        }
        json.WriteEndObject();
    }

    private static void WriteTransaction(Utf8JsonWriter json, Transaction tx)
    {
        json.WriteStartObject();
        json.WriteString("txid", tx.TxId.ToString());
        if (tx.HasWitness)
        {
            json.WriteString("wtxid", tx.WTxId.ToString());
        }
        if (tx.IsHogEx)
        {
            json.WriteBoolean("hogex", true);
        }
        json.WriteStartArray("vin");
        foreach (var input in tx.Inputs)
        {
            json.WriteStartObject();
            if (tx.IsCoinbase)
            {
                json.WriteBoolean("coinbase", true);
            }
            else
            {
                json.WriteString("txid", input.PrevOut.TxId.ToString());
                json.WriteNumber("vout", input.PrevOut.Index);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("vout");
        for (var n = 0; n < tx.Outputs.Count; n++)
        {
            var output = tx.Outputs[n];
            json.WriteStartObject();
            json.WriteNumber("n", n);
            json.WriteNumber("value", output.Value);
            json.WriteString("script", Hex.Encode(output.ScriptPubKey.Span));
            json.WriteString("type", output.ScriptType.ToName());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    // MWEB data is confidential and not indexed: a summary, not an expansion.
    private static void WriteMweb(Utf8JsonWriter json, MwebBlock mweb)
    {
        json.WriteStartObject("mweb");
        json.WriteNumber("height", mweb.Height);
        json.WriteNumber("size", mweb.Bytes.Length);
        json.WriteNumber("inputs", mweb.Body.InputCount);
        json.WriteNumber("outputs", mweb.Body.OutputCount);
        json.WriteNumber("kernels", mweb.Body.KernelCount);
        json.WriteNumber("fee", mweb.Body.TotalFee);
        json.WriteNumber("pegin_total", mweb.Body.PegInTotal);
        json.WriteStartArray("pegouts");
        foreach (var pegOut in mweb.Body.PegOuts)
        {
            json.WriteStartObject();
            json.WriteNumber("value", pegOut.Amount);
            json.WriteString("script", Hex.Encode(pegOut.ScriptPubKey.Span));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
