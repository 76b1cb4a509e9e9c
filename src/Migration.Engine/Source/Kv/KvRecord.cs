namespace Migration.Engine.Source.Kv;

/// <summary>What a KV value turned out to be when it was read.</summary>
public enum KvValueKind
{
    /// <summary>Valid JSON: <see cref="KvRecord.Value"/> holds it as plain .NET values.</summary>
    Json,
    /// <summary>UTF-8 text that is not JSON: <see cref="KvRecord.Value"/> is the string, <see cref="KvRecord.JsonError"/> says why.</summary>
    Text,
    /// <summary>Bytes that are not UTF-8: <see cref="KvRecord.Value"/> is the byte array.</summary>
    Binary,
}

/// <summary>
/// One Workers KV key as Export-KvEntry emits it: the key, the value (parsed JSON as plain .NET
/// values: <c>Dictionary&lt;string, object?&gt;</c>, <c>List&lt;object?&gt;</c>, long, BigInteger,
/// decimal, double, string, bool, null; or the text or bytes when it is not JSON), the
/// expiration and the metadata. Numbers are kept exactly (see <see cref="KvValue"/>).
/// </summary>
public sealed class KvRecord
{
    public KvRecord(string key, object? value, KvValueKind valueKind, long? expiration, object? metadata, string? jsonError = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
        Kind = valueKind;
        ExpirationUnixSeconds = expiration;
        Metadata = metadata;
        JsonError = jsonError;
    }

    public string Key { get; }
    public object? Value { get; }
    /// <summary>What the value is: Json, Text or Binary (a string, so ConvertTo-Json and CSV show the word, not a number).</summary>
    public string ValueKind => Kind.ToString();

    internal KvValueKind Kind { get; }

    /// <summary>When KV deletes the key (UTC), or null when it never expires.</summary>
    public DateTimeOffset? Expiration => ExpirationUnixSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    /// <summary>The expiration as KV stores it: Unix seconds.</summary>
    public long? ExpirationUnixSeconds { get; }

    /// <summary>The key's metadata (parsed JSON), or null.</summary>
    public object? Metadata { get; }

    /// <summary>For a value that is not JSON: the parser's reason (kept so a converter can say why it refused it).</summary>
    public string? JsonError { get; }

    public override string ToString() => Key;
}
