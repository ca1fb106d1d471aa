using Coinshard.Chain.Keys;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Descriptors;

/// <summary>
/// An output script descriptor (BIP380) such as <c>wpkh([d34db33f/84'/0'/0']xpub…/0/*)</c>:
/// what a wallet or exchange imports to say exactly which scripts it owns. Supported:
/// <c>pk</c>, <c>pkh</c>, <c>wpkh</c>, <c>sh</c>, <c>wsh</c>, <c>multi</c>, <c>sortedmulti</c>,
/// <c>tr</c> (key path, and script trees of <c>pk()</c> leaves), <c>raw</c> and <c>addr</c>, with
/// the nesting rules of BIP381–386. Immutable and thread-safe.
/// </summary>
public sealed class OutputDescriptor
{
    /// <summary>Default cap on how many scripts one <see cref="Expand"/> call produces.</summary>
    public const int DefaultMaxRangeSize = 1_000_000;

    /// <summary>Largest wildcard position (child numbers at or above 2^31 are hardened).</summary>
    public const uint MaxIndex = KeyPath.HardenedBit - 1;

    private readonly ScriptExpression _root;

    private OutputDescriptor(ScriptExpression root, string body, string function, Network network)
    {
        _root = root;
        Body = body;
        Function = function;
        Network = network;
        Checksum = DescriptorChecksum.Compute(body);
    }

    /// <summary>The descriptor text without its checksum, as given.</summary>
    public string Body { get; }

    /// <summary>The BIP380 checksum of <see cref="Body"/>.</summary>
    public string Checksum { get; }

    /// <summary>The top-level function: pk, pkh, wpkh, sh, wsh, multi, sortedmulti, tr, raw or addr.</summary>
    public string Function { get; }

    /// <summary>The network whose extended-key versions (and addresses) the descriptor was read with.</summary>
    public Network Network { get; }

    /// <summary>True when some key ends in a wildcard, so the descriptor stands for one script per index.</summary>
    public bool IsRange => _root.IsRange;

    /// <summary>
    /// False when some key has hardened derivation steps below an extended public key: BIP380 calls
    /// that syntax valid, but no script can be derived, so <see cref="GetScript"/> and
    /// <see cref="Expand"/> throw <see cref="InvalidKeyException"/>.
    /// </summary>
    public bool CanDerive => _root.Keys.All(k => k.UnderivableReason is null);

    /// <summary>True when the text holds private keys (xprv or WIF); <see cref="ToString"/> then contains them.</summary>
    public bool HasPrivateKeys => _root.HasPrivateKeys;

    /// <summary>
    /// Parses <paramref name="text"/>, with or without <c>#checksum</c> (see
    /// <see cref="DescriptorParseOptions.RequireChecksum"/>). Extended keys must use
    /// <paramref name="network"/>'s versions.
    /// </summary>
    /// <exception cref="InvalidDescriptorException">The descriptor is not valid; the message says what and where.</exception>
    /// <exception cref="InvalidChecksumException">The checksum does not match.</exception>
    public static OutputDescriptor Parse(string text, Network network, DescriptorParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(network);
        options ??= DescriptorParseOptions.Default;
        var (body, _) = DescriptorChecksum.Split(text, options.RequireChecksum);
        var (root, function) = DescriptorParser.Parse(body, network);
        return new OutputDescriptor(root, body, function, network);
    }

    /// <summary>The script at wildcard position <paramref name="index"/> (a descriptor without wildcard ignores it).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is above <see cref="MaxIndex"/>.</exception>
    /// <exception cref="InvalidKeyException">The descriptor cannot derive (see <see cref="CanDerive"/>).</exception>
    public byte[] GetScript(uint index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, MaxIndex);
        return _root.GetScript(index);
    }

    /// <summary>
    /// The scripts at positions <paramref name="first"/>..<paramref name="last"/> inclusive, element
    /// i being position first + i. A descriptor without wildcard yields its single script once.
    /// At most <paramref name="maxCount"/> scripts, so that a typo in a range cannot exhaust memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An empty or reversed range, an index above <see cref="MaxIndex"/>, or more than <paramref name="maxCount"/> scripts.</exception>
    public IReadOnlyList<byte[]> Expand(uint first, uint last, int maxCount = DefaultMaxRangeSize)
    {
        CheckRange(first, last);
        if (!IsRange)
        {
            return [_root.GetScript(0)];
        }
        var count = (ulong)last - first + 1;
        if (count > (ulong)Math.Max(maxCount, 0))
        {
            throw new ArgumentOutOfRangeException(nameof(last), $"range [{first}, {last}] has {count} positions, more than the limit of {maxCount}");
        }
        var scripts = new byte[(int)count][];
        for (var i = 0; i < scripts.Length; i++)
        {
            scripts[i] = _root.GetScript(first + (uint)i);
        }
        return scripts;
    }

    /// <summary>Lazily yields (position, script) over <paramref name="first"/>..<paramref name="last"/>; a descriptor without wildcard yields once.</summary>
    public IEnumerable<(uint Index, byte[] Script)> EnumerateScripts(uint first, uint last)
    {
        CheckRange(first, last);
        return Iterate(first, IsRange ? last : first);

        IEnumerable<(uint, byte[])> Iterate(uint from, uint to)
        {
            for (var index = from; ; index++)
            {
                yield return (index, _root.GetScript(index));
                if (index == to)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>The descriptor with its checksum (<c>body#checksum</c>). Contains private keys when <see cref="HasPrivateKeys"/>.</summary>
    public override string ToString() => $"{Body}#{Checksum}";

    private static void CheckRange(uint first, uint last)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, MaxIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, last);
    }
}
