namespace Coinshard.Storage;

/// <summary>
/// Proof of holding a lease. <paramref name="Token"/> grows with every acquisition (a fencing token):
/// writes carry it and are refused once another owner took the lease over, even if the old owner
/// still believes it holds it.
/// </summary>
/// <param name="Name">Lease name, e.g. <c>bitcoin.follower</c>.</param>
/// <param name="Owner">Who holds it (unique per process, e.g. host name and process id).</param>
/// <param name="Token">Fencing token.</param>
/// <param name="ExpiresAtUnixMs">Expiry by the store clock, Unix milliseconds.</param>
public sealed record LeaseToken(string Name, string Owner, long Token, long ExpiresAtUnixMs)
{
    /// <summary>Expiry as a timestamp.</summary>
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAtUnixMs);
}
