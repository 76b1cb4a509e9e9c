namespace Migration.Engine.Source.Kv;

/// <summary>Which keys a KV reader yields: those starting with <see cref="Prefix"/>, after <see cref="StartAfter"/> (exclusive) or from <see cref="StartAt"/> (inclusive), in key order.</summary>
public sealed record KvReadOptions(string? Prefix = null, string? StartAfter = null, string? StartAt = null)
{
    /// <summary>Whether a listed key is past the start point.</summary>
    public bool Wants(string key) =>
        (StartAfter is null || KvKeyOrder.Instance.Compare(key, StartAfter) > 0)
        && (StartAt is null || KvKeyOrder.Instance.Compare(key, StartAt) >= 0)
        && (string.IsNullOrEmpty(Prefix) || key.StartsWith(Prefix, StringComparison.Ordinal));
}
