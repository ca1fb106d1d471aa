using System.Globalization;

using Coinshard.Chain.Addresses;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Descriptors;

/// <summary>
/// Recursive-descent parser for the supported BIP380–386 expressions. Enforces where each
/// expression may appear (BIP381–386) and reports the character position of every error.
/// </summary>
internal sealed class DescriptorParser
{
    /// <summary>BIP341's limit on taproot tree depth; also bounds recursion on hostile input.</summary>
    private const int MaxTreeDepth = 128;

    /// <summary>Core's MAX_PUBKEYS_PER_MULTISIG.</summary>
    private const int MaxMultisigKeys = 20;

    /// <summary>Keys a top-level (bare) multisig may have, as Core's policy allows.</summary>
    private const int MaxBareMultisigKeys = 3;

    /// <summary>A P2SH redeem script is pushed whole, so it is limited to MAX_SCRIPT_ELEMENT_SIZE.</summary>
    private const int MaxRedeemScriptSize = 520;

    private static readonly HashSet<string> s_unsupported = new(StringComparer.Ordinal)
    {
        "combo", "multi_a", "sortedmulti_a", "rawtr", "musig", "and_v", "and_b", "or_b", "or_c", "or_d", "or_i",
        "andor", "thresh", "older", "after", "sha256", "hash256", "ripemd160", "hash160", "pk_k", "pk_h", "v", "c",
    };

    private readonly string _text;
    private readonly Network _network;
    private int _pos;

    private DescriptorParser(string text, Network network)
    {
        _text = text;
        _network = network;
    }

    private enum Context
    {
        Top,
        P2SH,
        P2WSH,
        TapLeaf,
    }

    /// <summary>Parses a whole descriptor body (checksum already removed).</summary>
    public static (ScriptExpression Expression, string Function) Parse(string body, Network network)
    {
        var parser = new DescriptorParser(body, network);
        var function = parser.PeekName();
        var expression = parser.ParseScript(Context.Top, null);
        if (parser._pos != body.Length)
        {
            throw new InvalidDescriptorException($"unexpected '{body[parser._pos..]}' after the descriptor", parser._pos);
        }
        return (expression, function);
    }

    private string PeekName()
    {
        var end = _pos;
        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_'))
        {
            end++;
        }
        return _text[_pos..end];
    }

    private ScriptExpression ParseScript(Context context, string? parent)
    {
        var start = _pos;
        var name = PeekName();
        _pos += name.Length;
        if (_pos >= _text.Length || _text[_pos] != '(' || name.Length == 0)
        {
            _pos = start;
            var token = ReadUntilAny(",)}");
            if (token.Length > 0 && char.IsWhiteSpace(token[0]))
            {
                throw new InvalidDescriptorException($"unexpected space before '{token.Trim()}'; descriptors contain no spaces between arguments", start);
            }
            throw new InvalidDescriptorException(parent is null
                ? $"expected a script expression such as wpkh(KEY), got '{token}'"
                : $"{parent}() needs a script expression as argument, got '{token}'", start);
        }
        _pos++; // '('
        if (context == Context.TapLeaf && name != "pk")
        {
            throw new InvalidDescriptorException($"{name}() cannot be a tr() script leaf; only pk() is supported there", start);
        }
        ScriptExpression result;
        switch (name)
        {
            case "pk":
                result = new PkExpression(ParseKey(KeyContextOf(context, "pk"), "pk"), context == Context.TapLeaf);
                break;
            case "pkh":
                Require(context is Context.Top or Context.P2SH or Context.P2WSH, "pkh() can only be used at top level, inside sh() or inside wsh()", start);
                result = new PkhExpression(ParseKey(KeyContextOf(context, "pkh"), "pkh"));
                break;
            case "wpkh":
                Require(context is Context.Top or Context.P2SH, "wpkh() can only be used at top level or inside sh()", start);
                result = new WpkhExpression(ParseKey(KeyContext.Segwit, "wpkh"));
                break;
            case "sh":
                Require(context == Context.Top, "sh() can only be used at top level", start);
                result = new ShExpression(ParseScript(Context.P2SH, "sh"));
                break;
            case "wsh":
                Require(context is Context.Top or Context.P2SH, "wsh() can only be used at top level or inside sh()", start);
                result = new WshExpression(ParseScript(Context.P2WSH, "wsh"));
                break;
            case "multi" or "sortedmulti":
                Require(context is Context.Top or Context.P2SH or Context.P2WSH, $"{name}() can only be used at top level, inside sh() or inside wsh()", start);
                result = ParseMulti(context, name, start);
                break;
            case "tr":
                Require(context == Context.Top, "tr() can only be used at top level", start);
                result = ParseTr();
                break;
            case "raw":
                Require(context == Context.Top, "raw() can only be used at top level", start);
                result = ParseRaw();
                break;
            case "addr":
                Require(context == Context.Top, "addr() can only be used at top level", start);
                result = ParseAddr();
                break;
            case var _ when s_unsupported.Contains(name):
                throw new InvalidDescriptorException($"{name}() is not supported (supported: pk, pkh, wpkh, sh, wsh, multi, sortedmulti, tr, raw, addr)", start);
            default:
                throw new InvalidDescriptorException($"'{name}' is not a descriptor function", start);
        }
        Expect(')', name);
        return result;
    }

    private static KeyContext KeyContextOf(Context context, string function) => context switch
    {
        Context.TapLeaf => KeyContext.Taproot,
        Context.P2WSH => KeyContext.Segwit,
        _ when function == "wpkh" => KeyContext.Segwit,
        _ => KeyContext.Legacy,
    };

    private KeyExpression ParseKey(KeyContext keyContext, string function)
    {
        var start = _pos;
        var text = ReadUntilAny(",)}");
        if (_pos < _text.Length && _text[_pos] is '(' or '{')
        {
            throw new InvalidDescriptorException($"{function}() takes a key expression, not a script expression", start);
        }
        // A key appearing directly inside wsh(): Segwit context, named after the wrapper for messages.
        return KeyExpression.Parse(text, start, keyContext, function, _network);
    }

    private MultiExpression ParseMulti(Context context, string name, int start)
    {
        var thresholdStart = _pos;
        var thresholdText = ReadUntilAny(",)");
        if (thresholdText.Length == 0 || !thresholdText.All(char.IsAsciiDigit)
            || !int.TryParse(thresholdText, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold))
        {
            throw new InvalidDescriptorException($"{name}() threshold '{thresholdText}' is not a number", thresholdStart);
        }
        if (threshold == 0)
        {
            throw new InvalidDescriptorException($"{name}() threshold cannot be 0", thresholdStart);
        }
        var keyContext = context == Context.P2WSH ? KeyContext.Segwit : KeyContext.Legacy;
        var keys = new List<KeyExpression>();
        while (_pos < _text.Length && _text[_pos] == ',')
        {
            _pos++;
            if (keys.Count == MaxMultisigKeys)
            {
                throw new InvalidDescriptorException($"{name}() can have at most {MaxMultisigKeys} keys", _pos);
            }
            keys.Add(ParseKey(keyContext, name));
        }
        if (keys.Count == 0)
        {
            throw new InvalidDescriptorException($"{name}() needs at least one key", _pos);
        }
        if (threshold > keys.Count)
        {
            throw new InvalidDescriptorException($"{name}() threshold {threshold} is larger than its {keys.Count} keys", thresholdStart);
        }
        if (context == Context.Top && keys.Count > MaxBareMultisigKeys)
        {
            throw new InvalidDescriptorException(
                $"bare {name}() can have at most {MaxBareMultisigKeys} keys, got {keys.Count}; wrap it in sh() or wsh()", start);
        }
        if (context == Context.P2SH)
        {
            var size = 3 + keys.Sum(k => k.KeySize + 1);
            if (size > MaxRedeemScriptSize)
            {
                throw new InvalidDescriptorException(
                    $"sh({name}()) redeem script would be {size} bytes, more than {MaxRedeemScriptSize} (at most 15 compressed keys)", start);
            }
        }
        return new MultiExpression(threshold, keys, name == "sortedmulti");
    }

    private TrExpression ParseTr()
    {
        var key = ParseKey(KeyContext.Taproot, "tr");
        TapTree? tree = null;
        if (_pos < _text.Length && _text[_pos] == ',')
        {
            _pos++;
            tree = ParseTree(1);
        }
        return new TrExpression(key, tree);
    }

    private TapTree ParseTree(int depth)
    {
        if (_pos < _text.Length && _text[_pos] == '{')
        {
            if (depth > MaxTreeDepth)
            {
                throw new InvalidDescriptorException($"tr() script tree is deeper than {MaxTreeDepth}", _pos);
            }
            _pos++;
            var left = ParseTree(depth + 1);
            Expect(',', "tr");
            var right = ParseTree(depth + 1);
            Expect('}', "tr");
            return new TapBranch(left, right);
        }
        return new TapLeaf(ParseScript(Context.TapLeaf, "tr"));
    }

    private RawExpression ParseRaw()
    {
        var start = _pos;
        var hex = ReadUntilAny(")");
        if (hex.Length == 0 || !Hex.TryDecode(hex, out var script))
        {
            throw new InvalidDescriptorException($"raw() needs a script in hex, got '{hex}'", start);
        }
        return new RawExpression(script);
    }

    private AddrExpression ParseAddr()
    {
        var start = _pos;
        var address = ReadUntilAny(")");
        try
        {
            return new AddrExpression(AddressCodec.Decode(address, _network).Script);
        }
        catch (ChainFormatException e)
        {
            throw new InvalidDescriptorException($"addr(): '{address}' is not a valid {_network.Name} address: {e.Message}", start, e);
        }
    }

    private string ReadUntilAny(string stops)
    {
        var start = _pos;
        while (_pos < _text.Length && !stops.Contains(_text[_pos], StringComparison.Ordinal) && _text[_pos] is not ('(' or '{'))
        {
            _pos++;
        }
        return _text[start.._pos];
    }

    private void Expect(char expected, string function)
    {
        if (_pos >= _text.Length)
        {
            throw new InvalidDescriptorException($"{function}() is missing its closing '{expected}'", _pos);
        }
        if (_text[_pos] != expected)
        {
            throw new InvalidDescriptorException($"unexpected '{_text[_pos]}' in {function}(), expected '{expected}'", _pos);
        }
        _pos++;
    }

    private static void Require(bool condition, string message, int position)
    {
        if (!condition)
        {
            throw new InvalidDescriptorException(message, position);
        }
    }
}
