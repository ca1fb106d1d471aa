using Coinshard.Chain.Keys;
using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Bitcoin Core's script compression (compressor.h <c>ScriptCompression</c>): a <c>VARINT(nSize)</c>, then
/// for nSize 0–5 one of six templates rebuilt from a hash or key x-coordinate, else <c>nSize − 6</c> raw bytes.
/// <list type="table">
/// <item><term>0</term><description>20-byte hash: P2PKH <c>76 A9 14 h 88 AC</c></description></item>
/// <item><term>1</term><description>20-byte hash: P2SH <c>A9 14 h 87</c></description></item>
/// <item><term>2, 3</term><description>32-byte x: P2PK with compressed key <c>21 02|03 x AC</c> (x is not checked, as in Core)</description></item>
/// <item><term>4, 5</term><description>32-byte x: P2PK with uncompressed key <c>41 04 x y AC</c>, y recovered on secp256k1 (4: even y, 5: odd)</description></item>
/// </list>
/// A raw script longer than <see cref="MaxScriptSize"/> is skipped by Core's reader and replaced by a single
/// <c>OP_RETURN</c>; Core never stores one (such outputs are unspendable and never enter the UTXO set).
/// </summary>
public static class ScriptCompression
{
    /// <summary>nSize values below this are templates; raw scripts are stored as <c>nSize = length + 6</c>.</summary>
    public const int SpecialScriptCount = 6;

    /// <summary>Core's <c>MAX_SCRIPT_SIZE</c>: longer raw scripts decompress to <c>OP_RETURN</c>.</summary>
    public const int MaxScriptSize = 10_000;

    /// <summary>Size of the largest template script (uncompressed P2PK): the scratch a decompressor needs.</summary>
    public const int MaxTemplateScriptSize = 67;

    /// <summary>Size of the largest compressed template: the nSize byte plus a 32-byte x-coordinate.</summary>
    public const int MaxCompressedTemplateSize = 33;

    /// <summary>What an over-long raw script decompresses to: a lone <c>OP_RETURN</c>.</summary>
    public static ReadOnlySpan<byte> OversizedScriptReplacement => [OpCodes.OpReturn];

    /// <summary>The payload size of template <paramref name="nSize"/> (0–5): 20 for hashes, 32 for keys.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nSize"/> is not a template.</exception>
    public static int GetTemplatePayloadSize(uint nSize) => nSize switch
    {
        0 or 1 => 20,
        2 or 3 or 4 or 5 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(nSize), nSize, "not a script template (0..5)"),
    };

    /// <summary>
    /// Writes the compressed form of a template script: the nSize byte (its VARINT is that single byte)
    /// followed by the payload. Returns false, writing nothing, when the script has no template, which
    /// includes uncompressed keys that are not valid curve points (Core's <c>IsFullyValid</c>).
    /// </summary>
    /// <param name="script">The output script.</param>
    /// <param name="destination">At least <see cref="MaxCompressedTemplateSize"/> bytes.</param>
    /// <param name="written">Bytes written (21 or 33).</param>
    public static bool TryCompress(ReadOnlySpan<byte> script, Span<byte> destination, out int written)
    {
        written = 0;
        switch (script.Length)
        {
            case 25 when script[0] == OpCodes.OpDup && script[1] == OpCodes.OpHash160 && script[2] == 20
                && script[23] == OpCodes.OpEqualVerify && script[24] == OpCodes.OpCheckSig:
                destination[0] = 0;
                script.Slice(3, 20).CopyTo(destination[1..]);
                written = 21;
                return true;
            case 23 when script[0] == OpCodes.OpHash160 && script[1] == 20 && script[22] == OpCodes.OpEqual:
                destination[0] = 1;
                script.Slice(2, 20).CopyTo(destination[1..]);
                written = 21;
                return true;
            case 35 when script[0] == 33 && script[34] == OpCodes.OpCheckSig && script[1] is 2 or 3:
                script.Slice(1, 33).CopyTo(destination);
                written = 33;
                return true;
            case 67 when script[0] == 65 && script[66] == OpCodes.OpCheckSig && script[1] == 4
                && Secp256k1.IsValidPublicKey(script.Slice(1, 65)):
                destination[0] = (byte)(4 | (script[65] & 1));
                script.Slice(2, 32).CopyTo(destination[1..]);
                written = 33;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Rebuilds template <paramref name="nSize"/> (0–5) from its payload into <paramref name="destination"/>.
    /// Returns false only for nSize 4/5 whose x-coordinate is not on the curve (Core's <c>DecompressScript</c>
    /// then leaves the script empty; Core's own compressor never writes such a coin, so it means corruption).
    /// </summary>
    /// <param name="nSize">The template number.</param>
    /// <param name="payload">20 bytes for 0/1, 32 bytes for 2–5.</param>
    /// <param name="destination">At least <see cref="MaxTemplateScriptSize"/> bytes.</param>
    /// <param name="written">The script's length (25, 23, 35 or 67).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nSize"/> is not a template.</exception>
    /// <exception cref="ArgumentException">The payload has the wrong size.</exception>
    public static bool TryDecompressTemplate(uint nSize, ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        if (payload.Length != GetTemplatePayloadSize(nSize))
        {
            throw new ArgumentException($"template {nSize} needs a {GetTemplatePayloadSize(nSize)}-byte payload, got {payload.Length}", nameof(payload));
        }
        switch (nSize)
        {
            case 0:
                destination[0] = OpCodes.OpDup;
                destination[1] = OpCodes.OpHash160;
                destination[2] = 20;
                payload.CopyTo(destination[3..]);
                destination[23] = OpCodes.OpEqualVerify;
                destination[24] = OpCodes.OpCheckSig;
                written = 25;
                return true;
            case 1:
                destination[0] = OpCodes.OpHash160;
                destination[1] = 20;
                payload.CopyTo(destination[2..]);
                destination[22] = OpCodes.OpEqual;
                written = 23;
                return true;
            case 2 or 3:
                destination[0] = 33;
                destination[1] = (byte)nSize;
                payload.CopyTo(destination[2..]);
                destination[34] = OpCodes.OpCheckSig;
                written = 35;
                return true;
            default:
                return TryDecompressUncompressedKey(nSize, payload, destination, out written);
        }
    }

    // nSize 4/5: the key was stored as its x-coordinate with y's parity in nSize; recover y on the curve
    // through BouncyCastle (Keys/Secp256k1), as Core does with CPubKey::Decompress.
    private static bool TryDecompressUncompressedKey(uint nSize, ReadOnlySpan<byte> x, Span<byte> destination, out int written)
    {
        written = 0;
        Span<byte> compressed = stackalloc byte[33];
        compressed[0] = (byte)(nSize - 2);
        x.CopyTo(compressed[1..]);
        var point = Secp256k1.TryDecodePoint(compressed);
        if (point is null)
        {
            return false;
        }
        destination[0] = 65;
        point.GetEncoded(false).CopyTo(destination[1..]);
        destination[66] = OpCodes.OpCheckSig;
        written = 67;
        return true;
    }
}
