namespace Coinshard.Storage.Internal;

/// <summary>
/// One versioned schema step of a component (<c>coinshard</c> for the global tables, or a currency,
/// whose script uses <c>{p}</c> for the table prefix). Versions start at 1 and never change once released:
/// a schema change is a new step.
/// </summary>
internal sealed record Migration(int Version, string Description, string Sql);
