namespace Coinshard.Chain.Descriptors;

/// <summary>How <see cref="OutputDescriptor.Parse"/> treats its input.</summary>
public sealed class DescriptorParseOptions
{
    /// <summary>Defaults: checksum optional, <see cref="DescriptorCodec.Default"/>.</summary>
    public static DescriptorParseOptions Default { get; } = new();

    /// <summary>Reject descriptors without a <c>#checksum</c> (a wrong checksum is always rejected).</summary>
    public bool RequireChecksum { get; init; }

    /// <summary>Decodes <c>addr()</c> addresses and WIF keys.</summary>
    public IDescriptorCodec Codec { get; init; } = DescriptorCodec.Default;
}
