using System.Buffers.Binary;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Blocks;

/// <summary>
/// The 80-byte block header shared by Bitcoin and Litecoin. Its SHA-256d is the block hash (the
/// block's id on both chains; Litecoin's proof of work uses scrypt instead, see
/// <see cref="ProofOfWork.ProofOfWorkValidator"/>).
/// </summary>
public sealed class BlockHeader
{
    /// <summary>Serialized size in bytes.</summary>
    public const int Size = 80;

    /// <summary>Creates a header from its fields.</summary>
    public BlockHeader(int version, Hash256 previousBlockHash, Hash256 merkleRoot, uint time, uint bits, uint nonce)
    {
        Version = version;
        PreviousBlockHash = previousBlockHash;
        MerkleRoot = merkleRoot;
        Time = time;
        Bits = bits;
        Nonce = nonce;
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        Hash = Hashes.DoubleSha256(bytes);
    }

    /// <summary>nVersion (BIP9 version bits on modern blocks).</summary>
    public int Version { get; }

    /// <summary>Hash of the parent block.</summary>
    public Hash256 PreviousBlockHash { get; }

    /// <summary>Merkle root of the block's txids.</summary>
    public Hash256 MerkleRoot { get; }

    /// <summary>Block timestamp (Unix seconds).</summary>
    public uint Time { get; }

    /// <summary>Target in compact form (see <see cref="ProofOfWork.CompactTarget"/>).</summary>
    public uint Bits { get; }

    /// <summary>Nonce.</summary>
    public uint Nonce { get; }

    /// <summary>The block hash: SHA-256d of the 80 header bytes.</summary>
    public Hash256 Hash { get; }

    /// <summary>Parses exactly 80 bytes.</summary>
    /// <exception cref="ChainFormatException">The data is not 80 bytes.</exception>
    public static BlockHeader Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SpanReader(data);
        var header = Read(ref reader);
        reader.EnsureAtEnd("block header");
        return header;
    }

    /// <summary>Reads a header at the reader's position.</summary>
    /// <exception cref="TruncatedDataException">Fewer than 80 bytes remain.</exception>
    public static BlockHeader Read(ref SpanReader reader)
    {
        var bytes = reader.ReadBytes(Size, "block header");
        return new BlockHeader(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            new Hash256(bytes.Slice(4, 32)),
            new Hash256(bytes.Slice(36, 32)),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[68..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[72..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[76..]));
    }

    /// <summary>Writes the 80 header bytes to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("destination is shorter than 80 bytes", nameof(destination));
        }
        BinaryPrimitives.WriteInt32LittleEndian(destination, Version);
        PreviousBlockHash.CopyTo(destination[4..]);
        MerkleRoot.CopyTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[68..], Time);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[72..], Bits);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[76..], Nonce);
    }

    /// <summary>Writes the 80 header bytes.</summary>
    public void WriteTo(ByteWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        writer.WriteBytes(bytes);
    }

    /// <summary>The 80 header bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <inheritdoc />
    public override string ToString() => Hash.ToString();
}
