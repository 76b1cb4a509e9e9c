using System.Text;
using System.Text.Json;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// Reads a JSON dump of a namespace: an array of <c>{key, value, expiration?, metadata?,
/// base64?}</c> (the file <c>wrangler kv bulk put</c> takes) or an object of key -> value. A
/// value that is a JSON string is the stored text, as in wrangler's bulk file (so
/// <c>"[1,2]"</c> is the array and <c>"hello"</c> the text hello); any other JSON value is the
/// value itself. Keys are yielded in KV's order.
/// </summary>
public sealed class KvDumpReader : IKvReader
{
    readonly string _path;

    public KvDumpReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
    }

    public string Description => "KV dump " + _path;

    public IEnumerable<KvRecord> Read(KvReadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = new List<(string Key, byte[] Value, long? Expiration, string? Metadata)>();
        using (var doc = Parse())
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var e in root.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String)
                        throw new FormatException($"{_path}: element {i} is not an object with a string \"key\".");
                    if (!e.TryGetProperty("value", out var v))
                        throw new FormatException($"{_path}: the element for key \"{k.GetString()}\" has no \"value\".");
                    var base64 = e.TryGetProperty("base64", out var b) && b.ValueKind == JsonValueKind.True;
                    long? expiration = e.TryGetProperty("expiration", out var x) && x.ValueKind == JsonValueKind.Number ? x.GetInt64() : null;
                    string? metadata = e.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null ? m.GetRawText() : null;
                    entries.Add((k.GetString()!, Bytes(v, base64, k.GetString()!), expiration, metadata));
                    i++;
                }
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in root.EnumerateObject()) entries.Add((p.Name, Bytes(p.Value, false, p.Name), null, null));
            }
            else
            {
                throw new FormatException($"{_path}: a KV dump is an array of {{key, value}} or an object of key -> value, not a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }
        }
        entries.Sort((a, b) => KvKeyOrder.Instance.Compare(a.Key, b.Key));
        for (var i = 1; i < entries.Count; i++)
            if (entries[i].Key == entries[i - 1].Key) throw new FormatException($"{_path}: the key \"{entries[i].Key}\" appears twice.");
        foreach (var e in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.Wants(e.Key)) yield return KvValue.Read(e.Key, e.Value, e.Expiration, e.Metadata);
        }
    }

    JsonDocument Parse()
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(_path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{_path} is not valid JSON: {e.Message}", e);
        }
    }

    byte[] Bytes(JsonElement value, bool base64, string key)
    {
        if (value.ValueKind != JsonValueKind.String) return Encoding.UTF8.GetBytes(value.GetRawText());
        if (!base64) return Encoding.UTF8.GetBytes(value.GetString()!);
        try
        {
            return System.Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException)
        {
            throw new FormatException($"{_path}: the value of key \"{key}\" is marked base64 but is not.");
        }
    }

    public void Dispose() { }
}
