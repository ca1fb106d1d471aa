namespace Coinshard.Chain.Descriptors;

/// <summary>How <see cref="OutputDescriptor.Parse"/> treats its input.</summary>
public sealed class DescriptorParseOptions
{
    /// <summary>Defaults: checksum optional.</summary>
    public static DescriptorParseOptions Default { get; } = new();

    /// <summary>Reject descriptors without a <c>#checksum</c> (a wrong checksum is always rejected).</summary>
    public bool RequireChecksum { get; init; }
}
