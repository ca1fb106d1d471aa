namespace Coinshard.Actors.Testing;

/// <summary>A <see cref="TestProbe{T}"/> expectation was not met; the message says what was expected and what happened.</summary>
public sealed class ProbeExpectationException(string message) : Exception(message);
