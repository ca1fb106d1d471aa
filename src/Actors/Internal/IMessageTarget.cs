namespace Coinshard.Actors.Internal;

/// <summary>A receiver that can carry an ask's reply slot with the message, so a rejection fails the ask at once.</summary>
internal interface IMessageTarget<in TMessage>
{
    TimeProvider TimeProvider { get; }

    ValueTask PostAsync(TMessage message, IPromise? promise, CancellationToken cancellationToken);
}
