using Migration.Engine.Schema;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Migration.Engine.Target;

namespace Migration.Engine.Journal;

/// <summary>
/// The undo log for tables that existed before a run: TEMP triggers on the run's own connection
/// (nobody else's writes are logged, and nothing is left in the file) that record each row the
/// run inserts, and a lossless before-image (<see cref="RowImage"/>) of each row it deletes or
/// updates. Triggers see what SQLite really did: REPLACE deleting a row that clashed on another
/// UNIQUE column, a cascade into a child table, an Upsert's update.
/// </summary>
/// <remarks>
/// Tables the run creates get no trigger, so the bulk load into new tables pays nothing.
/// <c>recursive_triggers</c> is turned on for the connection because SQLite fires delete
/// triggers for REPLACE's deletions only then.
/// </remarks>
internal static class UndoLogTriggers
{
    public const string ImageFunction = "d1_migration_image";

    public static void Install(SqliteConnection connection, long runId, IReadOnlySet<string> tablesBefore)
    {
        connection.CreateFunction(ImageFunction, (object?[] args) => RowImage.Encode(args), isDeterministic: true);
        var sql = new StringBuilder("PRAGMA recursive_triggers = ON;\n");
        var n = 0;
        foreach (var table in JournalTables.DataTables(connection))
        {
            if (!tablesBefore.Contains(table) || !IsPlainTable(connection, table) || IsWithoutRowid(connection, null, table)) continue;
            var columns = Columns(connection, table);
            var name = SqlQuote.Identifier(table);
            var literal = SqlQuote.Literal(table);
            var run = runId.ToString(CultureInfo.InvariantCulture);
            string Image(string row) => $"{ImageFunction}({string.Join(", ", columns.Select(c => row + "." + SqlQuote.Identifier(c)))})";
            var id = (n++).ToString(CultureInfo.InvariantCulture);
            // Unqualified d1_migration_undo: a trigger body may not name a schema; the one table of that name is in main.
            sql.Append(CultureInfo.InvariantCulture, $"""
                CREATE TEMP TRIGGER IF NOT EXISTS d1_migration_log_i{id} AFTER INSERT ON main.{name} BEGIN
                  INSERT INTO {JournalTables.UndoLog} (run_id, table_name, op, new_rowid) VALUES ({run}, {literal}, 'I', NEW.rowid); END;
                CREATE TEMP TRIGGER IF NOT EXISTS d1_migration_log_d{id} AFTER DELETE ON main.{name} BEGIN
                  INSERT INTO {JournalTables.UndoLog} (run_id, table_name, op, old_rowid, image) VALUES ({run}, {literal}, 'D', OLD.rowid, {Image("OLD")}); END;
                CREATE TEMP TRIGGER IF NOT EXISTS d1_migration_log_u{id} AFTER UPDATE ON main.{name} BEGIN
                  INSERT INTO {JournalTables.UndoLog} (run_id, table_name, op, old_rowid, new_rowid, image) VALUES ({run}, {literal}, 'U', OLD.rowid, NEW.rowid, {Image("OLD")}); END;

                """);
        }
        using var command = connection.CreateCommand();
        command.CommandText = sql.ToString();
        command.ExecuteNonQuery();
    }

    /// <summary>The table's stored columns in order (generated and hidden columns cannot be written back, so they are left out).</summary>
    public static List<string> Columns(SqliteConnection connection, string table, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM pragma_table_xinfo($t) WHERE hidden = 0 ORDER BY cid";
        command.Parameters.AddWithValue("$t", table);
        var list = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add(reader.GetString(0));
        return list;
    }

    public static bool IsWithoutRowid(SqliteConnection connection, SqliteTransaction? transaction, string table)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = $t COLLATE NOCASE";
        command.Parameters.AddWithValue("$t", table);
        return command.ExecuteScalar() is long wr && wr != 0;
    }

    /// <summary>A real table: not a virtual table (FTS5 etc.) nor one of its shadow tables, which SQLite maintains itself.</summary>
    internal static bool IsPlainTable(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type FROM pragma_table_list WHERE schema = 'main' AND name = $t COLLATE NOCASE";
        command.Parameters.AddWithValue("$t", table);
        return command.ExecuteScalar() as string == "table";
    }
}
