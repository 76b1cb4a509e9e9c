using System.Globalization;
using System.Text;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// The KV key a resumed export starts at: the key pattern's fields filled from the last row the
/// earlier run committed (its checkpoint holds that row's key columns). The export starts at
/// that key, not after it: an array value may have been cut by a batch boundary, and the rows
/// of it already written are skipped by the import (-Resume, or -OnConflict Ignore/Upsert).
/// </summary>
public static class KvResumeKey
{
    /// <summary>
    /// The KV key of the last row the run <paramref name="runId"/> (default: the newest) of the D1
    /// file <paramref name="path"/> committed into <paramref name="table"/>, rebuilt with
    /// <paramref name="pattern"/>; null when that table has no committed row.
    /// </summary>
    public static string? FromJournal(KvKeyPattern pattern, string path, long? runId, string table)
    {
        var point = Journal.MigrationJournal.ResumePoints(path, runId)
            .FirstOrDefault(p => string.Equals(p.Table, table, StringComparison.OrdinalIgnoreCase));
        if (point?.LastKey is null) return null;
        return Rebuild(pattern, point.KeyColumns ?? [], point.LastKey, point.Table);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a field of the pattern is not among the key columns.</summary>
    public static string Rebuild(KvKeyPattern pattern, IReadOnlyList<string> keyColumns, IReadOnlyList<object?> lastKey, string table)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(lastKey);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in pattern.Fields)
        {
            var at = -1;
            for (var i = 0; i < keyColumns.Count; i++)
                if (string.Equals(keyColumns[i], field, StringComparison.OrdinalIgnoreCase)) at = i;
            if (at < 0 || at >= lastKey.Count)
                throw new ArgumentException($"-KeyPattern field {{{field}}} is not a key column of {table} (its key: {(keyColumns.Count == 0 ? "none" : string.Join(", ", keyColumns))}), so the last committed KV key cannot be rebuilt; use -StartAfter.");
            values[field] = lastKey[at] switch
            {
                null => throw new ArgumentException($"The checkpoint of {table} holds NULL for {field}; use -StartAfter."),
                string s => s,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => v.ToString() ?? "",
            };
        }
        var text = pattern.Text;
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c) { sb.Append(c); i++; continue; }
            if (c != '{') { sb.Append(c); continue; }
            var end = text.IndexOf('}', i + 1);
            sb.Append(values[text[(i + 1)..end].Trim()]);
            i = end;
        }
        return sb.ToString();
    }
}
