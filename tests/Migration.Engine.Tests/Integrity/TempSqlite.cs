using Microsoft.Data.Sqlite;

namespace Migration.Engine.Tests.Integrity;

/// <summary>A real SQLite file in a temporary folder, deleted afterwards.</summary>
sealed class TempSqlite : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("integrity-").FullName;

    public TempSqlite()
    {
        Path = System.IO.Path.Combine(_dir, "target.sqlite");
        Connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        Connection.Open();
    }

    public string Path { get; }
    public SqliteConnection Connection { get; }

    public void Exec(string sql, params object?[] values)
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < values.Length; i++) cmd.Parameters.AddWithValue("$" + (i + 1), values[i] ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Inserts rows with their values bound as they are (long, double, string, byte[], null).</summary>
    public void Insert(string table, IEnumerable<object?[]> rows)
    {
        using var tx = Connection.BeginTransaction();
        foreach (var row in rows)
        {
            using var cmd = Connection.CreateCommand();
            cmd.CommandText = $"INSERT INTO \"{table}\" VALUES ({string.Join(", ", row.Select((_, i) => "$" + (i + 1)))})";
            for (var i = 0; i < row.Length; i++) cmd.Parameters.AddWithValue("$" + (i + 1), row[i] ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    public void Dispose()
    {
        Connection.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
