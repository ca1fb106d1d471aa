using System.Buffers.Binary;

namespace Coinshard.Chain.Scripts;

/// <summary>
/// Walks a script opcode by opcode (Bitcoin Core's <c>GetScriptOp</c>). A push whose length runs
/// past the end makes <see cref="TryRead"/> return false; it never throws or reads out of range.
/// </summary>
public ref struct ScriptReader(ReadOnlySpan<byte> script)
{
    private readonly ReadOnlySpan<byte> _script = script;
    private int _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool IsAtEnd => _position >= _script.Length;

    /// <summary>Reads the next opcode and, for pushes, its data. Returns false at the end or on a malformed push.</summary>
    public bool TryRead(out byte opcode, out ReadOnlySpan<byte> pushData)
    {
        pushData = default;
        opcode = 0;
        if (_position >= _script.Length)
        {
            return false;
        }
        opcode = _script[_position++];
        if (opcode > OpCodes.PushData4)
        {
            return true;
        }
        int size;
        var remaining = _script.Length - _position;
        switch (opcode)
        {
            case < OpCodes.PushData1:
                size = opcode;
                break;
            case OpCodes.PushData1:
                if (remaining < 1)
                {
                    return Fail();
                }
                size = _script[_position];
                _position += 1;
                break;
            case OpCodes.PushData2:
                if (remaining < 2)
                {
                    return Fail();
                }
                size = BinaryPrimitives.ReadUInt16LittleEndian(_script[_position..]);
                _position += 2;
                break;
            default:
                if (remaining < 4)
                {
                    return Fail();
                }
                var size32 = BinaryPrimitives.ReadUInt32LittleEndian(_script[_position..]);
                if (size32 > int.MaxValue)
                {
                    return Fail();
                }
                size = (int)size32;
                _position += 4;
                break;
        }
        if (size > _script.Length - _position)
        {
            return Fail();
        }
        pushData = _script.Slice(_position, size);
        _position += size;
        return true;
    }

    private bool Fail()
    {
        _position = _script.Length;
        return false;
    }

    /// <summary>True when <paramref name="script"/> contains only push opcodes (including OP_1NEGATE and OP_1..OP_16).</summary>
    public static bool IsPushOnly(ReadOnlySpan<byte> script)
    {
        var reader = new ScriptReader(script);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryRead(out var op, out _) || op > OpCodes.Op16)
            {
                return false;
            }
        }
        return true;
    }
}
