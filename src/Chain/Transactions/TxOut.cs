using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Transactions;

/// <summary>A transaction output: an amount in satoshis locked by a scriptPubKey.</summary>
public sealed class TxOut
{
    /// <summary>Creates an output; the script is copied so the output stays immutable.</summary>
    public TxOut(long value, ReadOnlySpan<byte> scriptPubKey)
        : this(value, (ReadOnlyMemory<byte>)scriptPubKey.ToArray())
    {
    }

    internal TxOut(long value, ReadOnlyMemory<byte> scriptPubKey)
    {
        Value = value;
        ScriptPubKey = scriptPubKey;
    }

    /// <summary>Amount in satoshis. Serialized as a signed 64-bit integer; parsing does not judge its range.</summary>
    public long Value { get; }

    /// <summary>The locking script.</summary>
    public ReadOnlyMemory<byte> ScriptPubKey { get; }

    /// <summary>The standard template the script matches (Core's Solver).</summary>
    public ScriptType ScriptType => ScriptClassifier.Classify(ScriptPubKey.Span);
}
