using Migration.Engine.Schema;
using Microsoft.Data.Sqlite;
using Migration.Engine.Target;

namespace Migration.Engine.Journal;

/// <summary>
/// Reverts a run's undo log: each logged change is reversed, newest first, so the rows end
/// exactly as they were (same rowid, same values, same storage classes). Runs inside the
/// caller's transaction and with foreign keys off on that connection: the log already holds
/// every cascade the run caused, and replaying it must not cascade a second time.
/// </summary>
internal static class UndoReplay
{
    /// <summary>Reverts the run's logged changes (to one table, or all) and deletes those log entries; returns how many were reverted.</summary>
    public static int Revert(SqliteConnection connection, SqliteTransaction transaction, long runId, string? table)
    {
        var entries = new List<(long Seq, string Table, string Op, long? OldRowid, long? NewRowid, byte[]? Image)>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT seq, table_name, op, old_rowid, new_rowid, image FROM {JournalTables.UndoLog} WHERE run_id = $run"
                + (table is null ? "" : " AND table_name = $table COLLATE NOCASE") + " ORDER BY seq DESC";
            read.Parameters.AddWithValue("$run", runId);
            if (table is not null) read.Parameters.AddWithValue("$table", table);
            using var r = read.ExecuteReader();
            while (r.Read())
                entries.Add((r.GetInt64(0), r.GetString(1), r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.IsDBNull(5) ? null : (byte[])r.GetValue(5)));
        }

        var columns = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries)
        {
            if (!columns.TryGetValue(e.Table, out var cols)) columns[e.Table] = cols = UndoLogTriggers.Columns(connection, e.Table, transaction);
            var name = SqlQuote.Identifier(e.Table);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            switch (e.Op)
            {
                case "I":
                    command.CommandText = $"DELETE FROM {name} WHERE rowid = $new";
                    command.Parameters.AddWithValue("$new", e.NewRowid!.Value);
                    break;
                case "D":
                    command.CommandText = $"INSERT INTO {name} (rowid, {string.Join(", ", cols.Select(SqlQuote.Identifier))}) VALUES ($old, {string.Join(", ", cols.Select((_, i) => "$v" + i))})";
                    command.Parameters.AddWithValue("$old", e.OldRowid!.Value);
                    AddImage(command, e.Image!, cols.Count, e.Table);
                    break;
                case "U":
                    command.CommandText = $"UPDATE {name} SET rowid = $old, {string.Join(", ", cols.Select((c, i) => SqlQuote.Identifier(c) + " = $v" + i))} WHERE rowid = $new";
                    command.Parameters.AddWithValue("$old", e.OldRowid!.Value);
                    command.Parameters.AddWithValue("$new", e.NewRowid!.Value);
                    AddImage(command, e.Image!, cols.Count, e.Table);
                    break;
                default:
                    throw new InvalidDataException($"The undo log of run {runId} holds an unknown operation '{e.Op}'.");
            }
            command.ExecuteNonQuery();
        }

        using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = $"DELETE FROM {JournalTables.UndoLog} WHERE run_id = $run" + (table is null ? "" : " AND table_name = $table COLLATE NOCASE");
            delete.Parameters.AddWithValue("$run", runId);
            if (table is not null) delete.Parameters.AddWithValue("$table", table);
            delete.ExecuteNonQuery();
        }
        return entries.Count;
    }

    static void AddImage(SqliteCommand command, byte[] image, int columns, string table)
    {
        var values = RowImage.Decode(image);
        if (values.Length != columns)
            throw new InvalidOperationException($"Table {table} has {columns} columns now, its before-image {values.Length}: the table was altered after the run, so the run cannot be undone row by row.");
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue("$v" + i, values[i] ?? DBNull.Value);
    }
}
