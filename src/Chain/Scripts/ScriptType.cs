namespace Coinshard.Chain.Scripts;

/// <summary>The standard output script templates, as Bitcoin Core's <c>Solver</c> recognises them.</summary>
public enum ScriptType
{
    /// <summary>Anything not matching a template below.</summary>
    NonStandard,

    /// <summary><c>&lt;pubkey&gt; OP_CHECKSIG</c>.</summary>
    P2PK,

    /// <summary><c>OP_DUP OP_HASH160 &lt;20&gt; OP_EQUALVERIFY OP_CHECKSIG</c>.</summary>
    P2PKH,

    /// <summary><c>OP_HASH160 &lt;20&gt; OP_EQUAL</c>.</summary>
    P2SH,

    /// <summary>Witness v0, 20-byte program.</summary>
    P2WPKH,

    /// <summary>Witness v0, 32-byte program.</summary>
    P2WSH,

    /// <summary>Witness v1, 32-byte program (taproot).</summary>
    P2TR,

    /// <summary>Any other witness version/program (v1 of other lengths, v2–v16; Litecoin's HogEx v8).</summary>
    WitnessUnknown,

    /// <summary>Bare <c>m &lt;pubkeys&gt; n OP_CHECKMULTISIG</c>.</summary>
    Multisig,

    /// <summary><c>OP_RETURN</c> followed only by pushes (provably unspendable data carrier).</summary>
    NullData,
}

/// <summary>Names used on the wire and in JSON for <see cref="ScriptType"/>.</summary>
public static class ScriptTypeNames
{
    /// <summary>The lower-case name: p2pk, p2pkh, p2sh, p2wpkh, p2wsh, p2tr, witness_unknown, multisig, nulldata, nonstandard.</summary>
    public static string ToName(this ScriptType type) => type switch
    {
        ScriptType.P2PK => "p2pk",
        ScriptType.P2PKH => "p2pkh",
        ScriptType.P2SH => "p2sh",
        ScriptType.P2WPKH => "p2wpkh",
        ScriptType.P2WSH => "p2wsh",
        ScriptType.P2TR => "p2tr",
        ScriptType.WitnessUnknown => "witness_unknown",
        ScriptType.Multisig => "multisig",
        ScriptType.NullData => "nulldata",
        _ => "nonstandard",
    };
}
