using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Target;

/// <summary>A temporary folder for real SQLite files, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "migration-target-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Small builders for D1 schemas and for reading a SQLite file back in tests.</summary>
public static class TargetTestSupport
{
    public static Column Col(string name, D1Type type, bool nullable = true) => new(name, null, type, nullable);

    public static TableSchema D1(string table, IReadOnlyList<Column> columns, params int[] key) =>
        new(SchemaKind.D1, null, table, table, columns, key);

    public static Row R(TableSchema schema, params object?[] values) => new(schema, values);

    /// <summary>Runs a target over the rows and collects everything it reported.</summary>
    public static Outcome Write(string path, ImportOptions options, IEnumerable<Row> rows)
    {
        var outcome = new Outcome();
        using var target = SqliteTarget.Open(path, options);
        target.RowFailed += outcome.Errors.Add;
        target.BatchCommitted += outcome.Batches.Add;
        foreach (var row in rows) target.Add(row);
        outcome.Summaries.AddRange(target.Complete());
        return outcome;
    }

    public sealed class Outcome
    {
        public List<RowError> Errors { get; } = [];
        public List<BatchResult> Batches { get; } = [];
        public List<TableSummary> Summaries { get; } = [];
        public TableSummary Summary(string table) => Summaries.Single(s => s.Table == table);
    }

    public static SqliteConnection Connect(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        c.Open();
        return c;
    }

    public static void Exec(string path, string sql)
    {
        using var c = Connect(path);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Expected rows, written as <c>Expect(["a", 1L], ["b", 2L])</c>.</summary>
    public static List<object?[]> Expect(params object?[][] rows) => [.. rows];

    /// <summary>Every row of a query, each value as SQLite holds it (long, double, string, byte[] or null).</summary>
    public static List<object?[]> Rows(string path, string sql)
    {
        using var c = Connect(path);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
