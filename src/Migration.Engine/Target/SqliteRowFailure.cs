using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// Turns SQLite's refusal of one row into a <see cref="RowError"/> naming the constraint and
/// column from SQLite's own message (e.g. <c>UNIQUE constraint failed: users.email</c>).
/// </summary>
internal static class SqliteRowFailure
{
    public static RowError Describe(string message, Row row, TableBinding binding)
    {
        var columns = ColumnsNamedIn(message, binding.Table)
            .Select(c => binding.Schema.IndexOf(c))
            .Where(i => i >= 0)
            .ToList();
        var column = columns.Count > 0 ? string.Join(", ", columns.Select(i => binding.Schema.Columns[i].Name)) : null;
        var excerpt = columns.Count > 0
            ? string.Join(", ", columns.Select(i => ValueExcerpt.Of(row.GetValue(i))))
            : row.DescribeKey();
        return new RowError(binding.Table, row.DescribeKey(), column, message, excerpt);
    }

    /// <summary>The columns in "... constraint failed: t.a, t.b" (UNIQUE, NOT NULL, PRIMARY KEY); none for FOREIGN KEY or CHECK.</summary>
    static IEnumerable<string> ColumnsNamedIn(string message, string table)
    {
        const string marker = "constraint failed: ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || message.StartsWith("CHECK", StringComparison.Ordinal)) yield break;
        var list = message[(at + marker.Length)..];
        // D1 appends SQLite's result code ("...: users.email: SQLITE_CONSTRAINT"); it is no column.
        var code = list.IndexOf(": SQLITE_", StringComparison.Ordinal);
        if (code >= 0) list = list[..code];
        foreach (var part in list.Split(", "))
        {
            var name = part.StartsWith(table + ".", StringComparison.OrdinalIgnoreCase) ? part[(table.Length + 1)..] : part;
            yield return name;
        }
    }
}
