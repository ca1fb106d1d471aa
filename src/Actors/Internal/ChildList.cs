using Coinshard.Actors.Supervision;

namespace Coinshard.Actors.Internal;

/// <summary>
/// The live children of one parent in creation order (so they can be stopped in reverse), with unique names,
/// plus failures escalated by children that the parent has not handled yet. O(1) add and remove, because a
/// gateway may own thousands of short-lived session actors.
/// </summary>
internal sealed class ChildList
{
    private readonly Lock _gate = new();
    private readonly LinkedList<ActorRef> _order = new();
    private readonly Dictionary<string, LinkedListNode<ActorRef>> _byName = new(StringComparer.Ordinal);
    private List<ActorFailure>? _escalations;
    private bool _closed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _order.Count;
            }
        }
    }

    public bool HasEscalations => Volatile.Read(ref _escalations) is not null;

    /// <summary>Registers a child before it starts; refuses duplicates and additions to a stopping parent.</summary>
    public void Add(ActorRef child, string parentPath)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new ActorStoppedException(parentPath, null);
            }

            if (_byName.ContainsKey(child.Name))
            {
                throw new ArgumentException($"'{parentPath}' already has a live child named '{child.Name}'.", nameof(child));
            }

            _byName.Add(child.Name, _order.AddLast(child));
        }
    }

    public void Remove(ActorRef child)
    {
        lock (_gate)
        {
            if (_byName.TryGetValue(child.Name, out var node) && ReferenceEquals(node.Value, child))
            {
                _byName.Remove(child.Name);
                _order.Remove(node);
            }
        }
    }

    public ActorRef[] Snapshot()
    {
        lock (_gate)
        {
            var result = new ActorRef[_order.Count];
            _order.CopyTo(result, 0);
            return result;
        }
    }

    /// <summary>Refuses further children (the parent is stopping).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    public void AddEscalation(ActorFailure failure)
    {
        lock (_gate)
        {
            (_escalations ??= []).Add(failure);
        }
    }

    public ActorFailure? TakeEscalation()
    {
        lock (_gate)
        {
            if (_escalations is null)
            {
                return null;
            }

            var first = _escalations[0];
            _escalations.RemoveAt(0);
            if (_escalations.Count == 0)
            {
                _escalations = null;
            }

            return first;
        }
    }

    /// <summary>Stops the children one at a time, newest first; each stops its own children before it completes.</summary>
    public async Task StopAllAsync(DateTimeOffset deadline)
    {
        var children = Snapshot();
        for (var i = children.Length - 1; i >= 0; i--)
        {
            await children[i].StopCoreAsync(deadline).ConfigureAwait(false);
        }
    }
}
