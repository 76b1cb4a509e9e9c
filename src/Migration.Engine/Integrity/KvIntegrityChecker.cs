using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source.Kv;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Integrity;

/// <summary>
/// Workers KV -> D1: compares the entries of a namespace with the rows they became in one table
/// of a D1 file, shaping each entry exactly as ConvertTo-D1Row did (the same
/// <see cref="KvShapeOptions"/> and conversion options, coerced to the table's columns).
/// <list type="bullet">
/// <item><see cref="IntegrityCheck.RowCount"/>: per KV key, the rows it yields against the rows of
/// the table that carry the key's fields (the -KeyPattern fields and -KeyColumn; scenario 3's
/// per-user counts), plus rows of the table that no key accounts for. A key that cannot become
/// rows (invalid JSON, no match) is a difference naming its reason.</item>
/// <item><see cref="IntegrityCheck.Sample"/>: random rows compared field by field with the row of
/// the same key in the table (scenario 5).</item>
/// </list>
/// Entries arrive one at a time (<see cref="Add"/>) so a namespace of any size streams through;
/// what is kept is one counter per key and the sampled rows.
/// </summary>
public sealed class KvIntegrityChecker : IDisposable
{
    /// <summary>The checks this comparison runs; the others need a source table.</summary>
    public const IntegrityCheck Supported = IntegrityCheck.RowCount | IntegrityCheck.Sample;

    const char Separator = '\u001f';
    readonly string _table;
    readonly KvShapeOptions _shape;
    readonly IntegrityOptions _options;
    readonly KvRowConverter _converter;
    readonly TableSchema _target;
    readonly SqliteConnection _connection;
    readonly Dictionary<string, KeyGroup> _groups = new(StringComparer.Ordinal);
    readonly List<Row> _sample = [];
    readonly Random _random;
    long _rowsSeen;
    long _keys;

    /// <summary>The rows one group of key fields should have, and what to say about it.</summary>
    sealed class KeyGroup(string label)
    {
        public string Label { get; set; } = label;
        public int Keys { get; set; }
        public long Rows { get; set; }
        public long Unconverted { get; set; }
        public string? Problem { get; set; }
    }

    /// <param name="targetPath">The D1 (SQLite) file the rows went into.</param>
    /// <param name="table">The table, as ConvertTo-D1Row's -TableName (the conversion options' table map applies).</param>
    public KvIntegrityChecker(string targetPath, string table, KvShapeOptions shape, IntegrityOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        if (options.SampleSize < 0) throw new ArgumentOutOfRangeException(nameof(options), "SampleSize must not be negative.");
        _shape = shape;
        _options = options;
        _table = table;
        var name = options.Conversion.TableMap.TryGetValue(table, out var mapped) ? mapped : table;
        _target = SqliteSchemaReader.ReadTableSchema(targetPath, name)
            ?? throw new IntegrityCheckException(name, IntegrityCheck.RowCount, $"there is no table {name} in \"{targetPath}\".");
        foreach (var column in shape.KeyFieldColumns)
            if (_target.IndexOf(column) < 0)
                throw new IntegrityCheckException(name, IntegrityCheck.RowCount, $"the key's field {column} is not a column of {name}, so the rows of a key cannot be counted.");
        _converter = new KvRowConverter(new RowConverter(options.Conversion), shape);
        _random = options.SampleSeed is { } seed ? new Random(seed) : new Random();
        _connection = SqliteTarget.OpenConnection(targetPath, readOnly: true);
    }

    /// <summary>The D1 table compared.</summary>
    public string TargetTable => _target.Name;

    /// <summary>Shapes one entry and counts its rows under its key's fields; samples its rows.</summary>
    public void Add(KvRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _keys++;
        var origin = KvRowShaper.OriginOf(record.Key);
        var fields = KeyFields(record.Key);
        var group = Group(fields ?? record.Key, origin, fields is not null);
        group.Keys++;
        List<KvRowShaper.Shaped> shaped;
        try
        {
            shaped = _converter.Shape(record);
        }
        catch (KvShapeException e)
        {
            group.Problem ??= "no rows: " + e.Reason;
            return;
        }
        group.Rows += shaped.Count;
        foreach (var s in shaped)
        {
            var (row, error) = _converter.Convert(s, _table, _target);
            if (row is null)
            {
                group.Unconverted++;
                group.Problem ??= $"{error!.Key} does not convert (column {error.Column}: {error.Reason})";
                continue;
            }
            Sample(row);
        }
    }

    /// <summary>The key's field values as one text (as the table's columns read as text), or null when the key does not match.</summary>
    string? KeyFields(string key)
    {
        if (_shape.KeyFieldColumns.Count == 0) return "";
        var parts = new List<string>();
        if (_shape.KeyPattern is { } pattern)
        {
            var match = pattern.Match(key);
            if (match is null) return null;
            parts.AddRange(match.Select(m => (string)m.Value!));
        }
        if (_shape.KeyColumn is not null) parts.Add(key);
        return string.Join(Separator, parts);
    }

    KeyGroup Group(string id, string origin, bool matched)
    {
        if (!matched) id = "\0" + id; // a key the pattern does not fit has no fields: a group of its own
        if (_groups.TryGetValue(id, out var group))
        {
            // Keys that share the fields (no -KeyPattern fields at all): their rows are counted together.
            group.Label = _shape.KeyFieldColumns.Count == 0 ? "every KV key" : group.Label;
            return group;
        }
        return _groups[id] = new KeyGroup(origin);
    }

    void Sample(Row row)
    {
        _rowsSeen++;
        if (_options.SampleSize == 0) return;
        if (_sample.Count < _options.SampleSize) _sample.Add(row);
        else if (_random.NextInt64(_rowsSeen) is var j && j < _options.SampleSize) _sample[(int)j] = row;
    }

    /// <summary>One result per check asked for (<see cref="Supported"/> ones), in the order of <see cref="IntegrityCheck"/>.</summary>
    public IReadOnlyList<IntegrityResult> Finish()
    {
        var results = new List<IntegrityResult>();
        if (_options.Checks.HasFlag(IntegrityCheck.RowCount)) results.Add(RowCounts());
        if (_options.Checks.HasFlag(IntegrityCheck.Sample)) results.Add(SampleResult());
        return results;
    }

    IntegrityResult RowCounts()
    {
        var actual = TargetCounts(out var targetTotal);
        var differences = new List<IntegrityDifference>();
        var differing = 0;
        long expectedTotal = 0;
        foreach (var (id, group) in _groups)
        {
            expectedTotal += group.Rows;
            actual.Remove(id, out var found);
            if (group.Problem is null && group.Rows == found) continue;
            differing++;
            var expected = group.Problem is null ? Rows(group.Rows) : group.Problem.StartsWith("no rows", StringComparison.Ordinal)
                ? group.Problem : $"{Rows(group.Rows)} ({group.Unconverted} of them: {group.Problem})";
            Add(differences, new IntegrityDifference(group.Label, null, expected, Rows(found)));
        }
        foreach (var (id, found) in actual)
        {
            differing++;
            Add(differences, new IntegrityDifference(Describe(id), null, "no KV key", Rows(found)));
        }
        var fields = _shape.KeyFieldColumns.Count == 0 ? "all keys together (no key fields)" : "per key by " + string.Join(", ", _shape.KeyFieldColumns);
        var details = differing == 0
            ? Invariant($"{_keys} KV keys, {expectedTotal} rows, counted {fields}: all equal")
            : Invariant($"{differing} of {_groups.Count + actual.Count} keys differ, counted {fields}");
        return new IntegrityResult(_target.Name, IntegrityCheck.RowCount, differing == 0 && expectedTotal == targetTotal,
            expectedTotal.ToString(CultureInfo.InvariantCulture), targetTotal.ToString(CultureInfo.InvariantCulture), details, differences);
    }

    /// <summary>The table's rows per value of the key fields (as text), and in all.</summary>
    Dictionary<string, long> TargetCounts(out long total)
    {
        var columns = _shape.KeyFieldColumns;
        using var cmd = _connection.CreateCommand();
        var select = string.Join(", ", columns.Select(c => $"CAST({SqlQuote.Identifier(c)} AS TEXT)"));
        cmd.CommandText = columns.Count == 0
            ? $"SELECT count(*) FROM {SqlQuote.Identifier(_target.Name)}"
            : $"SELECT {select}, count(*) FROM {SqlQuote.Identifier(_target.Name)} GROUP BY {string.Join(", ", columns.Select((_, i) => (i + 1).ToString(CultureInfo.InvariantCulture)))}";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        total = 0;
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var n = reader.GetInt64(columns.Count);
            total += n;
            var parts = new string[columns.Count];
            for (var i = 0; i < parts.Length; i++) parts[i] = reader.IsDBNull(i) ? "\0NULL" : reader.GetString(i);
            if (n > 0) counts[string.Join(Separator, parts)] = n;
        }
        return counts;
    }

    string Describe(string id)
    {
        var parts = id.Split(Separator);
        var columns = _shape.KeyFieldColumns;
        if (columns.Count == 0) return "(rows)";
        var sb = new StringBuilder();
        for (var i = 0; i < columns.Count && i < parts.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(columns[i]).Append('=').Append(parts[i] == "\0NULL" ? "NULL" : "'" + ValueExcerpt.Of(parts[i]) + "'");
        }
        return sb.ToString();
    }

    IntegrityResult SampleResult()
    {
        var differences = new List<IntegrityDifference>();
        var differing = 0;
        foreach (var row in _sample)
            if (!SameAsTarget(row, differences)) differing++;
        var n = _sample.Count;
        return new IntegrityResult(_target.Name, IntegrityCheck.Sample, differing == 0,
            Invariant($"{n} rows equal"), Invariant($"{n - differing} rows equal"),
            n == 0 ? "no row to sample" : differing == 0 ? Invariant($"{n} random rows equal field by field") : Invariant($"{differing} of {n} random rows differ"),
            differences);
    }

    /// <summary>Finds the row's match in the table by its key (every column it carries when it has none) and compares each column it carries.</summary>
    bool SameAsTarget(Row row, List<IntegrityDifference> differences)
    {
        var schema = row.GetSchema();
        var columns = schema.Columns.Select(c => c.Name).ToList();
        IReadOnlyList<int> key = schema.HasPrimaryKey ? schema.PrimaryKey : [.. Enumerable.Range(0, columns.Count)];
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"SELECT {SqlQuote.Identifiers(columns)} FROM {SqlQuote.Identifier(_target.Name)} WHERE "
            + string.Join(" AND ", key.Select(k => $"{SqlQuote.Identifier(columns[k])} IS $k{k.ToString(CultureInfo.InvariantCulture)}")) + " LIMIT 2";
        foreach (var k in key) cmd.Parameters.AddWithValue("$k" + k.ToString(CultureInfo.InvariantCulture), row.GetValue(k) ?? DBNull.Value);
        var name = row.DescribeKey();
        using var reader = cmd.ExecuteReader();
        if (!reader.Read())
        {
            Add(differences, new IntegrityDifference(name, null, "1 row", "no row"));
            return false;
        }
        var same = true;
        for (var i = 0; i < columns.Count; i++)
        {
            var target = reader.IsDBNull(i) ? null : reader.GetValue(i);
            if (D1Value.Same(row.GetValue(i), target)) continue;
            same = false;
            Add(differences, new IntegrityDifference(name, columns[i], D1Value.Excerpt(row.GetValue(i)), D1Value.Excerpt(target)));
        }
        if (reader.Read())
        {
            Add(differences, new IntegrityDifference(name, null, "1 row", "2 or more rows"));
            return false;
        }
        return same;
    }

    void Add(List<IntegrityDifference> differences, IntegrityDifference d)
    {
        if (differences.Count < _options.MaxDifferences) differences.Add(d);
    }

    static string Rows(long n) => n == 1 ? "1 row" : n.ToString(CultureInfo.InvariantCulture) + " rows";

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _connection.Dispose();
}
