namespace Coinshard.Chain.Scripts;

/// <summary>Recognises output script templates exactly as Bitcoin Core's <c>Solver</c> does.</summary>
public static class ScriptClassifier
{
    /// <summary>Largest number of keys a bare multisig template may hold.</summary>
    public const int MaxMultisigKeys = 20;

    /// <summary>Largest script Core will execute (MAX_SCRIPT_SIZE): a longer output script can never be spent.</summary>
    public const int MaxScriptSize = 10_000;

    /// <summary>
    /// True for output scripts Core never adds to its UTXO set (<c>CScript::IsUnspendable</c>): those that
    /// start with OP_RETURN or are longer than <see cref="MaxScriptSize"/>. An index that must equal the
    /// node's UTXO set skips them too.
    /// </summary>
    public static bool IsUnspendable(ReadOnlySpan<byte> script) =>
        (script.Length > 0 && script[0] == OpCodes.OpReturn) || script.Length > MaxScriptSize;

    /// <summary>Classifies an output script. Never throws; malformed scripts are <see cref="ScriptType.NonStandard"/>.</summary>
    public static ScriptType Classify(ReadOnlySpan<byte> script)
    {
        // Fixed-shape templates first: they are by far the most common and need no parsing.
        if (script.Length == 25 && script[0] == OpCodes.OpDup && script[1] == OpCodes.OpHash160 && script[2] == 20
            && script[23] == OpCodes.OpEqualVerify && script[24] == OpCodes.OpCheckSig)
        {
            return ScriptType.P2PKH;
        }
        if (IsP2SH(script))
        {
            return ScriptType.P2SH;
        }
        if (TryGetWitnessProgram(script, out var version, out var program))
        {
            return (version, program.Length) switch
            {
                (0, 20) => ScriptType.P2WPKH,
                (0, 32) => ScriptType.P2WSH,
                (0, _) => ScriptType.NonStandard,
                (1, 32) => ScriptType.P2TR,
                _ => ScriptType.WitnessUnknown,
            };
        }
        if (script.Length >= 1 && script[0] == OpCodes.OpReturn && ScriptReader.IsPushOnly(script[1..]))
        {
            return ScriptType.NullData;
        }
        if (IsP2PK(script))
        {
            return ScriptType.P2PK;
        }
        if (IsMultisig(script))
        {
            return ScriptType.Multisig;
        }
        return ScriptType.NonStandard;
    }

    /// <summary>True for <c>OP_HASH160 &lt;20 bytes&gt; OP_EQUAL</c>.</summary>
    public static bool IsP2SH(ReadOnlySpan<byte> script) =>
        script.Length == 23 && script[0] == OpCodes.OpHash160 && script[1] == 20 && script[22] == OpCodes.OpEqual;

    /// <summary>
    /// Extracts a witness program (BIP141): a version opcode (OP_0..OP_16) followed by one direct
    /// push of 2 to 40 bytes, nothing else.
    /// </summary>
    public static bool TryGetWitnessProgram(ReadOnlySpan<byte> script, out int version, out ReadOnlySpan<byte> program)
    {
        version = -1;
        program = default;
        if (script.Length < 4 || script.Length > 42)
        {
            return false;
        }
        if (script[0] != OpCodes.Op0 && (script[0] < OpCodes.Op1 || script[0] > OpCodes.Op16))
        {
            return false;
        }
        if (script[1] + 2 != script.Length)
        {
            return false;
        }
        version = OpCodes.DecodeSmallInt(script[0]);
        program = script[2..];
        return true;
    }

    /// <summary>True when <paramref name="key"/> has the size its header byte implies (Core's <c>CPubKey::ValidSize</c>).</summary>
    public static bool IsValidPubKeySize(ReadOnlySpan<byte> key) => key.Length switch
    {
        33 => key[0] is 0x02 or 0x03,
        65 => key[0] is 0x04 or 0x06 or 0x07,
        _ => false,
    };

    private static bool IsP2PK(ReadOnlySpan<byte> script)
    {
        if (script.Length == 35 && script[0] == 33 && script[34] == OpCodes.OpCheckSig)
        {
            return IsValidPubKeySize(script.Slice(1, 33));
        }
        if (script.Length == 67 && script[0] == 65 && script[66] == OpCodes.OpCheckSig)
        {
            return IsValidPubKeySize(script.Slice(1, 65));
        }
        return false;
    }

    /// <summary>
    /// Bare multisig, as Core's <c>MatchMultisig</c>: a key-count number m, then valid-size key
    /// pushes, then n equal to the number of keys (m ≤ n ≤ 20), then OP_CHECKMULTISIG.
    /// </summary>
    private static bool IsMultisig(ReadOnlySpan<byte> script)
    {
        if (script.Length < 1 || script[^1] != OpCodes.OpCheckMultiSig)
        {
            return false;
        }
        var reader = new ScriptReader(script);
        if (!reader.TryRead(out var op, out var data))
        {
            return false;
        }
        var required = ReadNumber(op, data, 1, MaxMultisigKeys);
        if (required < 0)
        {
            return false;
        }
        var keys = 0;
        bool more;
        while ((more = reader.TryRead(out op, out data)) && op <= OpCodes.PushData4 && IsValidPubKeySize(data))
        {
            keys++;
        }
        if (!more)
        {
            return false;
        }
        var total = ReadNumber(op, data, required, MaxMultisigKeys);
        return total == keys && reader.TryRead(out op, out _) && op == OpCodes.OpCheckMultiSig && reader.IsAtEnd;
    }

    /// <summary>
    /// Core's <c>GetScriptNumber</c> for counts up to 20: OP_1..OP_16, or for 17..20 the only
    /// minimal encoding, a one-byte push. Returns -1 when not a number in [min, max].
    /// </summary>
    private static int ReadNumber(byte op, ReadOnlySpan<byte> data, int min, int max)
    {
        var value = op switch
        {
            >= OpCodes.Op1 and <= OpCodes.Op16 => OpCodes.DecodeSmallInt(op),
            1 when data[0] is > 16 and < 0x80 => data[0],
            _ => -1,
        };
        return value >= min && value <= max ? value : -1;
    }
}
