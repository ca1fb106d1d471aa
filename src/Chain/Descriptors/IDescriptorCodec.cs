using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Descriptors;

/// <summary>
/// What descriptors need from the address codec, which lives in another component: the output
/// script of an <c>addr()</c> address and the decoding of WIF private keys. A seam, so that this
/// folder does not duplicate the codec; <see cref="DescriptorCodec.Default"/> is what parsing uses
/// unless <see cref="DescriptorParseOptions.Codec"/> says otherwise.
/// </summary>
public interface IDescriptorCodec
{
    /// <summary>The output script <paramref name="address"/> pays to on <paramref name="network"/>.</summary>
    /// <exception cref="ChainFormatException">The address is not valid for the network (a specific subtype).</exception>
    byte[] GetAddressScript(string address, Network network);

    /// <summary>
    /// Decodes a WIF private key of <paramref name="network"/>; false when <paramref name="text"/> is not one.
    /// </summary>
    bool TryDecodeWif(string text, Network network, out byte[] privateKey, out bool compressed);
}

/// <summary>The codec descriptor parsing uses by default.</summary>
public static class DescriptorCodec
{
    /// <summary>
    /// MERGE SEAM: until the address codec (AddressCodec / WIF) is wired here, <c>addr()</c> throws
    /// <see cref="NotSupportedException"/> and WIF keys are not recognised. The lead replaces this
    /// with an implementation backed by the address codec.
    /// </summary>
    public static IDescriptorCodec Default { get; } = new UnwiredDescriptorCodec();

    /// <summary>True for the placeholder that knows no addresses or WIF keys.</summary>
    internal static bool IsUnwired(IDescriptorCodec codec) => codec is UnwiredDescriptorCodec;

    private sealed class UnwiredDescriptorCodec : IDescriptorCodec
    {
        public byte[] GetAddressScript(string address, Network network) =>
            throw new NotSupportedException(
                "addr() descriptors need the address codec, which is not wired into DescriptorCodec.Default yet");

        public bool TryDecodeWif(string text, Network network, out byte[] privateKey, out bool compressed)
        {
            privateKey = [];
            compressed = false;
            return false;
        }
    }
}
