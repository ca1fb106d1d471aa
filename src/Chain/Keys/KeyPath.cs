using System.Globalization;
using System.Text;

namespace Coinshard.Chain.Keys;

/// <summary>Whether a key path ends in a wildcard step, and of which kind.</summary>
public enum KeyPathWildcard
{
    /// <summary>A fixed path.</summary>
    None,

    /// <summary>Ends in <c>/*</c>: every unhardened child.</summary>
    Unhardened,

    /// <summary>Ends in <c>/*'</c> or <c>/*h</c>: every hardened child (needs a private key).</summary>
    Hardened,
}

/// <summary>
/// A BIP32 derivation path such as <c>m/84'/0'/0'/0/5</c>, optionally ending in a wildcard
/// (<c>0/*</c>) as descriptors use it. Hardened steps are written with <c>'</c> or <c>h</c>,
/// the two markers Bitcoin Core accepts. Immutable.
/// </summary>
public sealed class KeyPath : IEquatable<KeyPath>
{
    /// <summary>Child numbers at or above this are hardened.</summary>
    public const uint HardenedBit = 0x8000_0000;

    private readonly uint[] _indexes;

    /// <summary>Creates a path from child numbers (hardened ones include <see cref="HardenedBit"/>).</summary>
    public KeyPath(IEnumerable<uint> indexes, KeyPathWildcard wildcard = KeyPathWildcard.None)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        _indexes = [.. indexes];
        Wildcard = wildcard;
    }

    /// <summary>The empty path (the key itself).</summary>
    public static KeyPath Empty { get; } = new([]);

    /// <summary>The fixed child numbers, in derivation order, not counting a final wildcard.</summary>
    public IReadOnlyList<uint> Indexes => _indexes;

    /// <summary>The final wildcard step, if any.</summary>
    public KeyPathWildcard Wildcard { get; }

    /// <summary>True when the path ends in a wildcard and so stands for many keys.</summary>
    public bool IsRange => Wildcard != KeyPathWildcard.None;

    /// <summary>True when any step (including a hardened wildcard) needs the private key.</summary>
    public bool HasHardenedSteps => Wildcard == KeyPathWildcard.Hardened || _indexes.Any(IsHardened);

    /// <summary>True when <paramref name="index"/> is a hardened child number.</summary>
    public static bool IsHardened(uint index) => index >= HardenedBit;

    /// <summary>This path with one more fixed step.</summary>
    public KeyPath Append(uint index)
    {
        if (IsRange)
        {
            throw new InvalidOperationException("cannot append a step after a wildcard");
        }
        return new KeyPath([.. _indexes, index]);
    }

    /// <summary>
    /// The fixed path for wildcard position <paramref name="index"/> (0 ≤ index &lt; 2^31); a
    /// hardened wildcard yields a hardened last step. A fixed path is returned unchanged.
    /// </summary>
    public KeyPath ResolveWildcard(uint index)
    {
        if (!IsRange)
        {
            return this;
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, HardenedBit);
        return new KeyPath([.. _indexes, Wildcard == KeyPathWildcard.Hardened ? index | HardenedBit : index]);
    }

    /// <summary>
    /// Parses <c>m/0'/1/2h</c>, <c>0/1</c>, <c>m</c> or <c>""</c>, with an optional final <c>*</c>,
    /// <c>*'</c> or <c>*h</c>. Each number is decimal and below 2^31.
    /// </summary>
    /// <exception cref="InvalidEncodingException">The text is not a path; the message names the step.</exception>
    public static KeyPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = text.AsSpan();
        var offset = 0;
        if (body.Length > 0 && body[0] == 'm')
        {
            if (body.Length > 1 && body[1] != '/')
            {
                throw new InvalidEncodingException($"key path '{text}' must continue with '/' after 'm'", 1);
            }
            offset = Math.Min(2, body.Length);
            if (offset == 2 && body.Length == 2)
            {
                throw new InvalidEncodingException($"key path '{text}' ends with '/'", 1);
            }
        }
        if (offset >= body.Length)
        {
            return Empty;
        }
        var indexes = new List<uint>();
        var wildcard = KeyPathWildcard.None;
        while (true)
        {
            var end = body[offset..].IndexOf('/');
            var step = end < 0 ? body[offset..] : body.Slice(offset, end);
            if (wildcard != KeyPathWildcard.None)
            {
                throw new InvalidEncodingException($"key path '{text}': a wildcard may only be the last step", offset);
            }
            if (step is "*")
            {
                wildcard = KeyPathWildcard.Unhardened;
            }
            else if (step is "*'" or "*h")
            {
                wildcard = KeyPathWildcard.Hardened;
            }
            else
            {
                indexes.Add(ParseStep(step, text, offset));
            }
            if (end < 0)
            {
                break;
            }
            offset += end + 1;
        }
        return new KeyPath(indexes, wildcard);
    }

    /// <summary>Parses a path; returns false instead of throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyPath? path)
    {
        path = null;
        if (text is null)
        {
            return false;
        }
        try
        {
            path = Parse(text);
            return true;
        }
        catch (InvalidEncodingException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses one step: decimal digits below 2^31, optionally followed by <c>'</c> or <c>h</c>.
    /// On failure <paramref name="error"/> says why (the caller adds where).
    /// </summary>
    internal static bool TryParseStep(ReadOnlySpan<char> step, out uint index, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        index = 0;
        error = null;
        var hardened = false;
        var digits = step;
        if (digits.Length > 0 && digits[^1] is '\'' or 'h')
        {
            hardened = true;
            digits = digits[..^1];
        }
        if (digits.IsEmpty)
        {
            error = step.IsEmpty ? "empty derivation step" : $"derivation step '{step}' has no number";
            return false;
        }
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                error = $"derivation step '{step}' is not a number (hardened steps end in ' or h)";
                return false;
            }
        }
        if (!uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value >= HardenedBit)
        {
            error = $"derivation step '{step}' is out of range: numbers must be below 2147483648 (mark hardened steps with ' or h)";
            return false;
        }
        index = hardened ? value | HardenedBit : value;
        return true;
    }

    private static uint ParseStep(ReadOnlySpan<char> step, string whole, int offset) =>
        TryParseStep(step, out var index, out var error) ? index : throw new InvalidEncodingException($"key path '{whole}': {error}", offset);

    /// <summary>The path as <c>m/0'/1/*</c> (apostrophe for hardened steps).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("m");
        foreach (var index in _indexes)
        {
            sb.Append('/').Append((index & ~HardenedBit).ToString(CultureInfo.InvariantCulture));
            if (IsHardened(index))
            {
                sb.Append('\'');
            }
        }
        if (Wildcard != KeyPathWildcard.None)
        {
            sb.Append(Wildcard == KeyPathWildcard.Hardened ? "/*'" : "/*");
        }
        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(KeyPath? other) =>
        other is not null && Wildcard == other.Wildcard && _indexes.AsSpan().SequenceEqual(other._indexes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KeyPath);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Wildcard);
        foreach (var index in _indexes)
        {
            hash.Add(index);
        }
        return hash.ToHashCode();
    }
}
