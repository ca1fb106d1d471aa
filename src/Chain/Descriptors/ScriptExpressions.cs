using Coinshard.Chain.Hashing;
using Coinshard.Chain.Keys;
using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Descriptors;

/// <summary>A parsed SCRIPT expression: produces the script for a wildcard index.</summary>
internal abstract class ScriptExpression
{
    /// <summary>True when any key below ends in a wildcard.</summary>
    public abstract bool IsRange { get; }

    /// <summary>True when any key below holds private key material.</summary>
    public abstract bool HasPrivateKeys { get; }

    /// <summary>The keys below, for checks that span the whole descriptor.</summary>
    public abstract IEnumerable<KeyExpression> Keys { get; }

    /// <summary>The script at wildcard position <paramref name="index"/>.</summary>
    public abstract byte[] GetScript(uint index);
}

/// <summary><c>raw(HEX)</c>: the script itself.</summary>
internal sealed class RawExpression(byte[] script) : ScriptExpression
{
    public override IEnumerable<KeyExpression> Keys => [];

    public override bool IsRange => false;

    public override bool HasPrivateKeys => false;

    public override byte[] GetScript(uint index) => [.. script];
}

/// <summary><c>addr(ADDRESS)</c>: the address's script, decoded by the codec at parse time.</summary>
internal sealed class AddrExpression(byte[] script) : ScriptExpression
{
    public override IEnumerable<KeyExpression> Keys => [];

    public override bool IsRange => false;

    public override bool HasPrivateKeys => false;

    public override byte[] GetScript(uint index) => [.. script];
}

/// <summary>Base of the expressions built on one key.</summary>
internal abstract class SingleKeyExpression(KeyExpression key) : ScriptExpression
{
    protected KeyExpression Key { get; } = key;

    public override IEnumerable<KeyExpression> Keys => [Key];

    public override bool IsRange => Key.IsRange;

    public override bool HasPrivateKeys => Key.HasPrivateKey;
}

/// <summary><c>pk(KEY)</c>: <c>&lt;key&gt; OP_CHECKSIG</c>; inside tr() the key is x-only (tapscript).</summary>
internal sealed class PkExpression(KeyExpression key, bool tapscript) : SingleKeyExpression(key)
{
    public override byte[] GetScript(uint index)
    {
        var pubKey = Key.GetPublicKey(index, tapscript);
        return tapscript ? [32, .. pubKey, OpCodes.OpCheckSig] : ScriptTemplates.P2PK(pubKey);
    }
}

/// <summary><c>pkh(KEY)</c>: P2PKH.</summary>
internal sealed class PkhExpression(KeyExpression key) : SingleKeyExpression(key)
{
    public override byte[] GetScript(uint index) => ScriptTemplates.P2PKH(Hashes.Hash160(Key.GetPublicKey(index, false)));
}

/// <summary><c>wpkh(KEY)</c>: P2WPKH.</summary>
internal sealed class WpkhExpression(KeyExpression key) : SingleKeyExpression(key)
{
    public override byte[] GetScript(uint index) => ScriptTemplates.WitnessProgram(0, Hashes.Hash160(Key.GetPublicKey(index, false)));
}

/// <summary><c>sh(SCRIPT)</c>: P2SH of the inner script (the redeem script).</summary>
internal sealed class ShExpression(ScriptExpression inner) : ScriptExpression
{
    public override IEnumerable<KeyExpression> Keys => inner.Keys;

    public override bool IsRange => inner.IsRange;

    public override bool HasPrivateKeys => inner.HasPrivateKeys;

    public override byte[] GetScript(uint index) => ScriptTemplates.P2SH(Hashes.Hash160(inner.GetScript(index)));
}

/// <summary><c>wsh(SCRIPT)</c>: P2WSH of the inner script (the witness script).</summary>
internal sealed class WshExpression(ScriptExpression inner) : ScriptExpression
{
    public override IEnumerable<KeyExpression> Keys => inner.Keys;

    public override bool IsRange => inner.IsRange;

    public override bool HasPrivateKeys => inner.HasPrivateKeys;

    public override byte[] GetScript(uint index) => ScriptTemplates.WitnessProgram(0, Hashes.Sha256(inner.GetScript(index)));
}

/// <summary><c>multi(k,KEY,…)</c> and <c>sortedmulti(k,KEY,…)</c>: bare multisig; extended keys derive in lockstep.</summary>
internal sealed class MultiExpression(int threshold, IReadOnlyList<KeyExpression> keys, bool sorted) : ScriptExpression
{
    public override IEnumerable<KeyExpression> Keys => keys;

    public override bool IsRange => keys.Any(k => k.IsRange);

    public override bool HasPrivateKeys => keys.Any(k => k.HasPrivateKey);

    public override byte[] GetScript(uint index)
    {
        var pubKeys = keys.Select(k => k.GetPublicKey(index, false)).ToList();
        if (sorted)
        {
            pubKeys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        }
        return ScriptTemplates.Multisig(threshold, pubKeys);
    }
}

/// <summary>A taproot script tree: a leaf script or a branch of two subtrees.</summary>
internal abstract class TapTree
{
    public abstract bool IsRange { get; }

    public abstract bool HasPrivateKeys { get; }

    public abstract IEnumerable<KeyExpression> Keys { get; }

    /// <summary>The TapLeaf or TapBranch hash at wildcard position <paramref name="index"/>.</summary>
    public abstract byte[] GetHash(uint index);
}

/// <summary>A tapscript leaf (leaf version 0xC0).</summary>
internal sealed class TapLeaf(ScriptExpression script) : TapTree
{
    public override IEnumerable<KeyExpression> Keys => script.Keys;

    public override bool IsRange => script.IsRange;

    public override bool HasPrivateKeys => script.HasPrivateKeys;

    public override byte[] GetHash(uint index) => Taproot.ComputeLeafHash(Taproot.TapscriptLeafVersion, script.GetScript(index));
}

/// <summary>A <c>{left,right}</c> branch.</summary>
internal sealed class TapBranch(TapTree left, TapTree right) : TapTree
{
    public override IEnumerable<KeyExpression> Keys => left.Keys.Concat(right.Keys);

    public override bool IsRange => left.IsRange || right.IsRange;

    public override bool HasPrivateKeys => left.HasPrivateKeys || right.HasPrivateKeys;

    public override byte[] GetHash(uint index) => Taproot.ComputeBranchHash(left.GetHash(index), right.GetHash(index));
}

/// <summary><c>tr(KEY)</c> or <c>tr(KEY,TREE)</c>: P2TR with the BIP341 tweak of the internal key.</summary>
internal sealed class TrExpression(KeyExpression internalKey, TapTree? tree) : ScriptExpression
{
    public override IEnumerable<KeyExpression> Keys => tree is null ? [internalKey] : tree.Keys.Prepend(internalKey);

    public override bool IsRange => internalKey.IsRange || (tree?.IsRange ?? false);

    public override bool HasPrivateKeys => internalKey.HasPrivateKey || (tree?.HasPrivateKeys ?? false);

    public override byte[] GetScript(uint index)
    {
        var merkleRoot = tree?.GetHash(index) ?? [];
        return ScriptTemplates.WitnessProgram(1, Taproot.TweakPublicKey(internalKey.GetPublicKey(index, true), merkleRoot));
    }
}
