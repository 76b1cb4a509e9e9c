using System.Text;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// Everything the per-table checks share: the source schema, the D1 schema the converter maps it
/// to, the target table as the file spells it, the open target, and the source catalog facts.
/// </summary>
sealed class TableCheckContext
{
    readonly Dictionary<string, string> _targetBySource = new(StringComparer.Ordinal);
    readonly Func<IReadOnlyList<SourceIndex>> _indexes;
    readonly Func<IReadOnlyDictionary<string, IReadOnlyList<string>>> _enums;
    IReadOnlyList<SourceIndex>? _indexCache;
    IReadOnlyDictionary<string, IReadOnlyList<string>>? _enumCache;

    public TableCheckContext(TableSchema source, TableSchema target, string targetTable, SqliteConnection db, IntegrityOptions options,
        Func<IReadOnlyList<SourceIndex>> sourceIndexes, Func<IReadOnlyDictionary<string, IReadOnlyList<string>>> enumLabels)
    {
        Source = source;
        Target = target;
        TargetTable = targetTable;
        Db = db;
        Options = options;
        _indexes = sourceIndexes;
        _enums = enumLabels;
        foreach (var c in target.Columns)
            if (c.PgType is not null) _targetBySource.TryAdd(c.SourceName, c.Name);
        KeyColumns = [.. target.PrimaryKey.Select(k => target.Columns[k].Name)];
    }

    public TableSchema Source { get; }
    public TableSchema Target { get; }
    /// <summary>The target table's name as the file spells it.</summary>
    public string TargetTable { get; }
    public SqliteConnection Db { get; }
    public IntegrityOptions Options { get; }
    /// <summary>The target's key columns for naming rows in reports (the mapped source primary key).</summary>
    public IReadOnlyList<string> KeyColumns { get; }

    public IReadOnlyList<SourceIndex> SourceIndexes => _indexCache ??= _indexes();
    public IReadOnlyDictionary<string, IReadOnlyList<string>> EnumLabels => _enumCache ??= _enums();

    /// <summary>The target column a source column became, or null when it was excluded.</summary>
    public string? TargetColumnOf(string sourceColumn) => _targetBySource.TryGetValue(sourceColumn, out var n) ? n : null;

    /// <summary>The source column of a target column (the source schema's own column).</summary>
    public Column? SourceColumnOf(Column target)
    {
        if (target.PgType is null) return null;
        var i = Source.IndexOf(target.SourceName);
        return i < 0 ? null : Source.Columns[i];
    }

    /// <summary>The select list that names a row: the key columns, or rowid for a table without one.</summary>
    public string KeySelect => KeyColumns.Count > 0 ? SqlQuote.Identifiers(KeyColumns) : "rowid";

    public int KeyWidth => Math.Max(1, KeyColumns.Count);

    /// <summary>Reads the key written by <see cref="KeySelect"/> at the start of a result row: <c>id=5</c>.</summary>
    public string DescribeKey(SqliteDataReader r)
    {
        if (KeyColumns.Count == 0) return "rowid=" + ValueExcerpt.Of(r.IsDBNull(0) ? null : r.GetValue(0));
        var sb = new StringBuilder();
        for (var i = 0; i < KeyColumns.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(KeyColumns[i]).Append('=').Append(ValueExcerpt.Of(r.IsDBNull(i) ? null : r.GetValue(i), 30));
        }
        return sb.ToString();
    }

    /// <summary>Runs a violation query: how many rows break a rule on one column, and the first few of them.</summary>
    /// <param name="condition">SQL over the quoted column, true for a violating row; values bound through <paramref name="parameters"/>.</param>
    public (long Count, List<(string Key, object? Value)> First) Violations(string column, string condition, params (string Name, object Value)[] parameters)
    {
        var c = SqlQuote.Identifier(column);
        var from = $"FROM {SqlQuote.Identifier(TargetTable)} WHERE {condition.Replace("{c}", c, StringComparison.Ordinal)}";
        using var count = Db.CreateCommand();
        count.CommandText = "SELECT count(*) " + from;
        foreach (var (n, v) in parameters) count.Parameters.AddWithValue(n, v);
        var total = (long)count.ExecuteScalar()!;
        var first = new List<(string, object?)>();
        if (total == 0 || Options.MaxDifferences <= 0) return (total, first);

        using var rows = Db.CreateCommand();
        rows.CommandText = $"SELECT {KeySelect}, {c} {from} LIMIT $max";
        foreach (var (n, v) in parameters) rows.Parameters.AddWithValue(n, v);
        rows.Parameters.AddWithValue("$max", Options.MaxDifferences);
        using var r = rows.ExecuteReader();
        while (r.Read()) first.Add((DescribeKey(r), r.IsDBNull(KeyWidth) ? null : r.GetValue(KeyWidth)));
        return (total, first);
    }
}
