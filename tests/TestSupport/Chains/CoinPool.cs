namespace Coinshard.TestSupport.Chains;

/// <summary>
/// The spendable part of the builder's UTXO model: coins of earlier blocks, coins created in the block being
/// built (for same-block spends), and coinbase coins waiting for maturity. Takes are O(1) (swap with the last).
/// </summary>
internal sealed class CoinPool
{
    private readonly List<SpendableCoin> _older = [];
    private readonly List<SpendableCoin> _current = [];
    private readonly Queue<(int MatureAt, SpendableCoin Coin)> _immature = new();

    /// <summary>Spendable coins from earlier blocks.</summary>
    public int OlderCount => _older.Count;

    /// <summary>Coins created in the block being built.</summary>
    public int CurrentCount => _current.Count;

    /// <summary>Every coin the model holds (spendable or not yet mature).</summary>
    public long Count => _older.Count + _current.Count + _immature.Count;

    /// <summary>Their total value.</summary>
    public long Value { get; private set; }

    /// <summary>
    /// Makes coinbase coins that mature at <paramref name="height"/> spendable (the newest of the older coins,
    /// see <see cref="TakeNewest"/>); call before building that block. Returns how many matured.
    /// </summary>
    public int BeginBlock(int height)
    {
        var matured = 0;
        while (_immature.TryPeek(out var next) && next.MatureAt <= height)
        {
            _older.Add(_immature.Dequeue().Coin);
            matured++;
        }
        return matured;
    }

    /// <summary>Takes the coin of earlier blocks added last (just-matured coinbase coins first), or one of this block's.</summary>
    public (SpendableCoin Coin, bool FromCurrent) TakeNewest()
    {
        var fromCurrent = _older.Count == 0;
        var list = fromCurrent ? _current : _older;
        if (list.Count == 0)
        {
            throw new InvalidOperationException("internal error: the coin pool is empty");
        }
        var coin = list[^1];
        list.RemoveAt(list.Count - 1);
        Value -= coin.Value;
        return (coin, fromCurrent);
    }

    /// <summary>The block is done: its coins become "older" for the next one.</summary>
    public void EndBlock()
    {
        _older.AddRange(_current);
        _current.Clear();
    }

    /// <summary>A coinbase coin, spendable from block <paramref name="matureAt"/> on.</summary>
    public void AddImmature(int matureAt, SpendableCoin coin)
    {
        _immature.Enqueue((matureAt, coin));
        Value += coin.Value;
    }

    /// <summary>A coin created by a transaction of the block being built.</summary>
    public void Add(SpendableCoin coin)
    {
        _current.Add(coin);
        Value += coin.Value;
    }

    /// <summary>
    /// Takes a coin: from this block's coins with probability <paramref name="sameBlockShare"/> (when there are
    /// any), else from earlier blocks, half the time among the most recent tenth (spends favour young coins).
    /// </summary>
    public (SpendableCoin Coin, bool FromCurrent) Take(Random random, double sameBlockShare)
    {
        var fromCurrent = _older.Count == 0 || (_current.Count > 0 && random.NextDouble() < sameBlockShare);
        var list = fromCurrent ? _current : _older;
        if (list.Count == 0)
        {
            throw new InvalidOperationException("internal error: the coin pool is empty");
        }
        var index = !fromCurrent && random.Next(2) == 0
            ? list.Count - 1 - random.Next(Math.Max(1, list.Count / 10))
            : random.Next(list.Count);
        var coin = list[index];
        list[index] = list[^1];
        list.RemoveAt(list.Count - 1);
        Value -= coin.Value;
        return (coin, fromCurrent);
    }

    /// <summary>Puts back a coin taken for a transaction that did not fit the block.</summary>
    public void Return(SpendableCoin coin, bool fromCurrent)
    {
        (fromCurrent ? _current : _older).Add(coin);
        Value += coin.Value;
    }

    /// <summary>Coins available to the next take.</summary>
    public int Available => _older.Count + _current.Count;
}
