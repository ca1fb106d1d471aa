using System.Globalization;

namespace Coinshard.Electrum.Protocol;

/// <summary>
/// An Electrum protocol version: dotted numbers with at least one dot ("1.4", "1.4.2"), compared
/// numerically part by part (missing parts count as zero, so "1.4" equals "1.4.0").
/// </summary>
public readonly struct ProtocolVersion : IComparable<ProtocolVersion>, IEquatable<ProtocolVersion>
{
    private readonly int[] _parts;

    private ProtocolVersion(int[] parts) => _parts = parts;

    /// <summary>Version 1.4, the oldest Coinshard speaks (what Electrum 4.x wallets ask for).</summary>
    public static ProtocolVersion Version14 { get; } = Parse("1.4");

    /// <summary>Version 1.5.</summary>
    public static ProtocolVersion Version15 { get; } = Parse("1.5");

    /// <summary>Version 1.6, the newest Coinshard speaks.</summary>
    public static ProtocolVersion Version16 { get; } = Parse("1.6");

    /// <summary>Parses a version string; false for anything but dotted non-negative numbers with at least one dot.</summary>
    public static bool TryParse(string? text, out ProtocolVersion version)
    {
        version = default;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }
        var pieces = text.Split('.');
        if (pieces.Length < 2)
        {
            return false;
        }
        var parts = new int[pieces.Length];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length == 0 || !pieces[i].All(char.IsAsciiDigit) ||
                !int.TryParse(pieces[i], NumberStyles.None, CultureInfo.InvariantCulture, out parts[i]))
            {
                return false;
            }
        }
        version = new ProtocolVersion(parts);
        return true;
    }

    /// <summary>Parses a version string or throws <see cref="FormatException"/>.</summary>
    public static ProtocolVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a protocol version (expected dotted numbers such as 1.4)");

    /// <inheritdoc />
    public int CompareTo(ProtocolVersion other)
    {
        var a = _parts ?? [];
        var b = other._parts ?? [];
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var c = (i < a.Length ? a[i] : 0).CompareTo(i < b.Length ? b[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }

    /// <inheritdoc />
    public bool Equals(ProtocolVersion other) => CompareTo(other) == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ProtocolVersion other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var parts = _parts ?? [];
        var last = parts.Length - 1;
        while (last > 0 && parts[last] == 0)
        {
            last--;
        }
        var hash = new HashCode();
        for (var i = 0; i <= last; i++)
        {
            hash.Add(parts[i]);
        }
        return hash.ToHashCode();
    }

    /// <summary>The dotted form, as sent on the wire.</summary>
    public override string ToString() => string.Join('.', _parts ?? [0, 0]);

    /// <summary>Ordering.</summary>
    public static bool operator <(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) >= 0;

    /// <summary>Equality.</summary>
    public static bool operator ==(ProtocolVersion left, ProtocolVersion right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ProtocolVersion left, ProtocolVersion right) => !left.Equals(right);
}
