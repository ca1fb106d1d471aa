namespace Coinshard.Chain.Scripts;

/// <summary>Builds the standard output scripts.</summary>
public static class ScriptTemplates
{
    /// <summary><c>&lt;pubkey&gt; OP_CHECKSIG</c> for a 33- or 65-byte public key.</summary>
    public static byte[] P2PK(ReadOnlySpan<byte> pubKey)
    {
        if (!ScriptClassifier.IsValidPubKeySize(pubKey))
        {
            throw new ArgumentException($"not a public key: {pubKey.Length} bytes", nameof(pubKey));
        }
        return [(byte)pubKey.Length, .. pubKey, OpCodes.OpCheckSig];
    }

    /// <summary><c>OP_DUP OP_HASH160 &lt;hash160&gt; OP_EQUALVERIFY OP_CHECKSIG</c>.</summary>
    public static byte[] P2PKH(ReadOnlySpan<byte> keyHash160)
    {
        RequireLength(keyHash160, 20, nameof(keyHash160));
        return [OpCodes.OpDup, OpCodes.OpHash160, 20, .. keyHash160, OpCodes.OpEqualVerify, OpCodes.OpCheckSig];
    }

    /// <summary><c>OP_HASH160 &lt;hash160&gt; OP_EQUAL</c>.</summary>
    public static byte[] P2SH(ReadOnlySpan<byte> scriptHash160)
    {
        RequireLength(scriptHash160, 20, nameof(scriptHash160));
        return [OpCodes.OpHash160, 20, .. scriptHash160, OpCodes.OpEqual];
    }

    /// <summary>A witness output: version opcode then one push of the 2–40 byte program.</summary>
    public static byte[] WitnessProgram(int version, ReadOnlySpan<byte> program)
    {
        if (version is < 0 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "witness versions are 0..16");
        }
        if (program.Length is < 2 or > 40)
        {
            throw new ArgumentException($"witness programs are 2..40 bytes, got {program.Length}", nameof(program));
        }
        return [OpCodes.SmallInt(version), (byte)program.Length, .. program];
    }

    /// <summary>Bare multisig <c>OP_m &lt;keys&gt; OP_n OP_CHECKMULTISIG</c>.</summary>
    public static byte[] Multisig(int required, IReadOnlyList<byte[]> pubKeys)
    {
        if (pubKeys.Count is < 1 or > ScriptClassifier.MaxMultisigKeys || required < 1 || required > pubKeys.Count)
        {
            throw new ArgumentException($"invalid multisig {required}-of-{pubKeys.Count}");
        }
        var script = new List<byte>(5 + (pubKeys.Count * 34));
        AddNumber(script, required);
        foreach (var key in pubKeys)
        {
            if (!ScriptClassifier.IsValidPubKeySize(key))
            {
                throw new ArgumentException($"not a public key: {key.Length} bytes", nameof(pubKeys));
            }
            script.Add((byte)key.Length);
            script.AddRange(key);
        }
        AddNumber(script, pubKeys.Count);
        script.Add(OpCodes.OpCheckMultiSig);
        return [.. script];
    }

    // Counts above 16 have no OP_N; their minimal form is a one-byte push.
    private static void AddNumber(List<byte> script, int n)
    {
        if (n <= 16)
        {
            script.Add(OpCodes.SmallInt(n));
        }
        else
        {
            script.Add(1);
            script.Add((byte)n);
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"expected {length} bytes, got {value.Length}", name);
        }
    }
}
