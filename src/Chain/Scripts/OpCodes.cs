namespace Coinshard.Chain.Scripts;

/// <summary>The opcodes Coinshard needs by name.</summary>
public static class OpCodes
{
    /// <summary>OP_0 / OP_FALSE: pushes an empty vector.</summary>
    public const byte Op0 = 0x00;
    /// <summary>Next byte is a push length.</summary>
    public const byte PushData1 = 0x4C;
    /// <summary>Next two bytes are a push length.</summary>
    public const byte PushData2 = 0x4D;
    /// <summary>Next four bytes are a push length.</summary>
    public const byte PushData4 = 0x4E;
    /// <summary>Pushes -1.</summary>
    public const byte Op1Negate = 0x4F;
    /// <summary>OP_1 / OP_TRUE.</summary>
    public const byte Op1 = 0x51;
    /// <summary>OP_16.</summary>
    public const byte Op16 = 0x60;
    /// <summary>Marks an output provably unspendable.</summary>
    public const byte OpReturn = 0x6A;
    /// <summary>Duplicates the top stack item.</summary>
    public const byte OpDup = 0x76;
    /// <summary>Equality.</summary>
    public const byte OpEqual = 0x87;
    /// <summary>Equality then verify.</summary>
    public const byte OpEqualVerify = 0x88;
    /// <summary>HASH160 of the top stack item.</summary>
    public const byte OpHash160 = 0xA9;
    /// <summary>Signature check.</summary>
    public const byte OpCheckSig = 0xAC;
    /// <summary>m-of-n signature check.</summary>
    public const byte OpCheckMultiSig = 0xAE;

    /// <summary>The opcode for small integer <paramref name="n"/> (0..16).</summary>
    public static byte SmallInt(int n) => n switch
    {
        0 => Op0,
        >= 1 and <= 16 => (byte)(Op1 + n - 1),
        _ => throw new ArgumentOutOfRangeException(nameof(n), n, "small integers are 0..16"),
    };

    /// <summary>The value of a small-integer opcode (OP_0..OP_16), or -1 when it is not one.</summary>
    public static int DecodeSmallInt(byte opcode) => opcode switch
    {
        Op0 => 0,
        >= Op1 and <= Op16 => opcode - Op1 + 1,
        _ => -1,
    };
}
