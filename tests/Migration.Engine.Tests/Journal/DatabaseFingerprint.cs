using Microsoft.Data.Sqlite;
using Migration.Engine.Integrity;

namespace Migration.Engine.Tests.Journal;

/// <summary>
/// The content of every data table in a SQLite file (journal tables left out), as the Integrity
/// layer's canonical row hash summed per table, with each table's DDL, row count and rowids:
/// two files with equal fingerprints hold the same tables with the same rows, bit for bit.
/// </summary>
static class DatabaseFingerprint
{
    public static Dictionary<string, string> Of(string path, bool withRowid = true)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        c.Open();
        var tables = new List<(string Name, string Sql)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'd1_migration_%' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var r = cmd.ExecuteReader();
            while (r.Read()) tables.Add((r.GetString(0), r.GetString(1)));
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, sql) in tables)
        {
            var columns = new List<string>();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT name FROM pragma_table_info($t) ORDER BY cid";
                cmd.Parameters.AddWithValue("$t", name);
                using var r = cmd.ExecuteReader();
                while (r.Read()) columns.Add(r.GetString(0));
            }
            if (withRowid) columns.Insert(0, "rowid");
            var hasher = new RowHasher(columns, []);
            var sum = UInt128.Zero;
            long rows = 0;
            using (var reader = new TargetTableReader(c, name, columns))
                while (reader.Read())
                {
                    sum += hasher.Hash(reader).Row;
                    rows++;
                }
            result[name] = $"{sql} | {rows} rows | {ContentHash.ToHex(sum)}";
        }
        return result;
    }

    /// <summary>Key values that occur more than once in a table (there must be none).</summary>
    public static long DuplicateKeys(string path, string table, string keyColumns)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM (SELECT {keyColumns} FROM \"{table}\" GROUP BY {keyColumns} HAVING count(*) > 1)";
        return (long)cmd.ExecuteScalar()!;
    }
}
