using System.Globalization;
using System.Text;

namespace Migration.Engine.Schema;

/// <summary>
/// One row: a reference to its table's shared <see cref="TableSchema"/> and an array of values.
/// It deliberately has no public properties: PowerShell shows the columns through a type
/// adapter, and any public property would appear next to them (in ConvertTo-Json, Export-Csv).
/// </summary>
public sealed class Row
{
    readonly TableSchema _schema;
    readonly object?[] _values;
    readonly string? _origin;

    /// <param name="origin">Where the row came from when its own key does not say it (e.g. <c>KV key "watchlist:42"</c>): named in every message about the row.</param>
    public Row(TableSchema schema, object?[] values, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != schema.Columns.Count)
            throw new ArgumentException($"Table {schema.Name}: {values.Length} values for {schema.Columns.Count} columns.", nameof(values));
        _schema = schema;
        _values = values;
        _origin = origin;
    }

    /// <summary>Where the row came from (see the constructor), or null.</summary>
    public string? GetOrigin() => _origin;

    public TableSchema GetSchema() => _schema;

    /// <summary>The value array itself (not a copy): the hot path reads it without allocating.</summary>
    public object?[] GetValues() => _values;

    public object? GetValue(int ordinal) => _values[ordinal];

    /// <summary>
    /// The key of the source row this row came from, in the source's own order (a D1/SQLite
    /// source sets its primary key values, or the rowid of a table without one; a converter
    /// carries it to the converted row). A target resumes by it: a row at or before the
    /// checkpoint of its source table was committed by an earlier attempt. Null when unknown.
    /// Internal, so the row's public surface (what PowerShell shows) stays its columns.
    /// </summary>
    internal object?[]? SourceKey { get; init; }

    /// <summary>The value of a column by name; throws when the table has no such column.</summary>
    public object? GetValue(string columnName)
    {
        var i = _schema.IndexOf(columnName);
        if (i < 0) throw new KeyNotFoundException($"Table {_schema.Name} has no column \"{columnName}\".");
        return _values[i];
    }

    /// <summary>
    /// The row's key as people read it in an error message: <c>id=42</c>, <c>a=1, b=x</c>; for a
    /// table without a primary key, the first column.
    /// </summary>
    public string DescribeKey()
    {
        var key = _schema.PrimaryKey.Count > 0 ? _schema.PrimaryKey : (IReadOnlyList<int>)[0];
        var sb = new StringBuilder(_origin);
        if (_origin is not null) sb.Append(", ");
        foreach (var k in key)
        {
            if (k != key[0]) sb.Append(", ");
            sb.Append(_schema.Columns[k].Name).Append('=').Append(ValueExcerpt.Of(_values[k]));
        }
        return sb.ToString();
    }

    public override string ToString() => $"{_schema.Name} [{DescribeKey()}]";
}

/// <summary>Short, single-line renderings of values for messages (never the whole of a large value).</summary>
public static class ValueExcerpt
{
    public const int DefaultLength = 60;

    public static string Of(object? value, int maxLength = DefaultLength)
    {
        var s = value switch
        {
            null => "NULL",
            byte[] b => $"<{b.Length} bytes>",
            string str => str,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        var sb = new StringBuilder(Math.Min(s.Length, maxLength) + 8);
        foreach (var c in s)
        {
            if (sb.Length >= maxLength) { sb.Append('…'); break; }
            sb.Append(c switch { '\r' => "\\r", '\n' => "\\n", '\t' => "\\t", _ => c.ToString() });
        }
        return sb.ToString();
    }
}
