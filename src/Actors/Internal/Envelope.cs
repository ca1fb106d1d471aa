namespace Coinshard.Actors.Internal;

/// <summary>A queued message and, for asks, the reply slot to fail if the message is rejected or its handler throws.</summary>
internal readonly record struct Envelope<TMessage>(TMessage Message, IPromise? Promise);
