using Coinshard.Actors.Supervision;

namespace Coinshard.Actors.Internal;

/// <summary>What a child needs from its parent: an actor, or the system itself for top-level actors.</summary>
internal interface IActorParent
{
    string Path { get; }

    /// <summary>The child has completely stopped; forget it.</summary>
    void ChildStopped(ActorRef child);

    /// <summary>The child stopped because of <paramref name="failure"/>, which is now the parent's to handle.</summary>
    void ChildEscalated(ActorRef child, ActorFailure failure);
}
