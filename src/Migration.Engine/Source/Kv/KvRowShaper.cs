using System.Collections;
using System.Globalization;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// Turns one KV entry into the name/value records of its rows: an object is one record, an array
/// of objects one record per object, an array of scalars one record per element (the element in
/// the <see cref="KvShapeOptions.ExpandProperty"/> column), a scalar one record. The key's
/// pattern fields (and, when asked, the key, its expiration and metadata) are added to every
/// record. Each record carries its origin (<c>KV key "k"</c>, with <c>[i]</c> for an element), which
/// every error about it names. A value that is not JSON, a key that does not match the pattern,
/// or a field the value also holds with another value, is a <see cref="KvShapeException"/>.
/// </summary>
public sealed class KvRowShaper
{
    /// <summary>The column of a scalar value when -ExpandProperty is not given.</summary>
    public const string DefaultValueColumn = "value";

    readonly KvShapeOptions _options;

    public KvRowShaper(KvShapeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>One shaped record: its name/value pairs and where it came from.</summary>
    public readonly record struct Shaped(List<KeyValuePair<string, object?>> Properties, string Origin);

    /// <summary>What names an entry in messages: <c>KV key "watchlist:42"</c>.</summary>
    public static string OriginOf(string key, int? element = null) =>
        "KV key \"" + ValueExcerptOfKey(key) + "\"" + (element is { } i ? "[" + i.ToString(CultureInfo.InvariantCulture) + "]" : "");

    static string ValueExcerptOfKey(string key) => Schema.ValueExcerpt.Of(key, 200);

    public List<Shaped> Shape(KvRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var origin = OriginOf(record.Key);
        if (record.Kind != KvValueKind.Json && !_options.AllowNonJson)
            throw new KvShapeException(record.Key, origin, null, record.Value,
                (record.JsonError ?? "the value is not JSON") + " (-AllowNonJson keeps such a value as text or bytes)");
        IReadOnlyList<KeyValuePair<string, object?>> fields = [];
        if (_options.KeyPattern is { } pattern)
        {
            fields = pattern.Match(record.Key)
                ?? throw new KvShapeException(record.Key, origin, null, record.Key, $"the key does not match -KeyPattern '{pattern.Text}'");
        }
        var extra = new List<KeyValuePair<string, object?>>(fields);
        if (_options.KeyColumn is { } kc) extra.Add(new(kc, record.Key));
        if (_options.ExpirationColumn is { } ec) extra.Add(new(ec, record.ExpirationUnixSeconds));
        if (_options.MetadataColumn is { } mc) extra.Add(new(mc, record.Metadata)); // an object becomes JSON text in a TEXT column

        var result = new List<Shaped>();
        switch (record.Value)
        {
            // Text or bytes (-AllowNonJson): one row holding the value as it is, never parsed further.
            case not null when record.Kind != KvValueKind.Json:
                var raw = new List<KeyValuePair<string, object?>> { new(_options.ExpandProperty ?? DefaultValueColumn, record.Value) };
                result.Add(WithExtra(record, raw, extra, origin));
                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                    result.Add(Record(record, list[i], extra, OriginOf(record.Key, i)));
                break;
            default:
                result.Add(Record(record, record.Value, extra, origin));
                break;
        }
        return result;
    }

    Shaped Record(KvRecord record, object? value, List<KeyValuePair<string, object?>> extra, string origin)
    {
        var props = new List<KeyValuePair<string, object?>>();
        if (value is Dictionary<string, object?> obj)
        {
            foreach (var p in obj) props.Add(p);
        }
        else if (value is IList)
        {
            throw new KvShapeException(record.Key, origin, null, "[...]",
                "an array inside the array: only objects and scalars become rows");
        }
        else
        {
            props.Add(new(_options.ExpandProperty ?? DefaultValueColumn, value));
        }
        return WithExtra(record, props, extra, origin);
    }

    /// <summary>Adds the key's fields (and key, expiration, metadata columns) to one record's properties.</summary>
    static Shaped WithExtra(KvRecord record, List<KeyValuePair<string, object?>> props, List<KeyValuePair<string, object?>> extra, string origin)
    {
        foreach (var (name, v) in extra)
        {
            var at = props.FindIndex(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
            if (at < 0) { props.Add(new(name, v)); continue; }
            // The value also holds the field: the same value is fine, another one would be a silent choice.
            if (!SameText(props[at].Value, v))
                throw new KvShapeException(record.Key, origin, name, props[at].Value,
                    $"the value's \"{props[at].Key}\" differs from the key's {name} = {Schema.ValueExcerpt.Of(v)}");
        }
        return new Shaped(props, origin);
    }

    static bool SameText(object? a, object? b) =>
        string.Equals(Text(a), Text(b), StringComparison.Ordinal);

    static string? Text(object? v) => v switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };
}

/// <summary>A KV entry that cannot become rows; names the key (and the column when one is at fault).</summary>
public sealed class KvShapeException(string key, string origin, string? column, object? value, string reason)
    : Exception($"{origin}: {reason}.")
{
    public string Key { get; } = key;
    public string Origin { get; } = origin;
    public string? Column { get; } = column;
    public string ValueExcerpt { get; } = Schema.ValueExcerpt.Of(value);
    public string Reason { get; } = reason;
}
