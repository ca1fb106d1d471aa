namespace Coinshard.Backends.Routing;

/// <summary>A routed call's answer and the adapter that gave it.</summary>
/// <typeparam name="T">The answer's type.</typeparam>
/// <param name="Value">The answer.</param>
/// <param name="AnsweredBy">The name of the adapter that answered.</param>
/// <param name="Failures">Adapters that failed or did not know the answer before it, in order (empty when the first one answered).</param>
public sealed record Routed<T>(T Value, string AnsweredBy, IReadOnlyList<BackendFailure> Failures);
