using Microsoft.Data.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// Whether a table holds exactly the rows a run wrote into it, unchanged: its content hash (the
/// Integrity layer's, over the columns the run wrote) equals the run's checksum for it (the sum
/// of its batch checksums, kept true by <see cref="DeletedRowChecksum"/> when the run deleted a
/// row it wrote). Undo empties a table the run found empty, or drops one it created, as a whole
/// only on this proof. The local undo reads the table itself; the remote undo a copy of it read
/// through the API (<see cref="Integrity.RemoteD1Mirror"/>, as Test-MigrationIntegrity does), so
/// both are judged by this one code.
/// </summary>
internal static class RunContentProof
{
    /// <summary>Why the proof failed: <see cref="Changed"/> when the checksum proves something and the content differs.</summary>
    public sealed record Disproof(bool Changed, string Reason);

    /// <summary>
    /// Null when <paramref name="table"/> (read through <paramref name="connection"/>, which holds
    /// rows) hashes to the run's checksum <paramref name="checksum"/> over
    /// <paramref name="columnsJson"/> (<see cref="JournalStore.TableChecksum(IJournalConnection, long, string)"/>);
    /// else why not, a clause to follow "the table ... holds N rows".
    /// </summary>
    public static Disproof? Check(SqliteConnection connection, SqliteTransaction? transaction, string table, string? columnsJson, string? checksum)
    {
        var columns = columnsJson is null ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(columnsJson);
        if (columns is null || checksum is null)
            return new(false, " that the run wrote none of, so undo would lose them");
        if (checksum == "mixed")
            return new(false, "; the run wrote it with different column sets, so no checksum proves they are all the run's");
        if (!Integrity.ContentHash.TryParseStored(checksum, out var expected))
            return new(false, $"; the run's checksum was kept by another version of the module ({checksum.Split(':')[0]}), so it cannot prove they are all the run's");
        var present = UndoLogTriggers.Columns(connection, table, transaction);
        if (columns.Any(c => !present.Contains(c, StringComparer.OrdinalIgnoreCase)))
            return new(false, "; columns the run wrote are gone, so no checksum proves the rows are all the run's");

        var hasher = new Integrity.RowHasher(columns, []);
        var sum = UInt128.Zero;
        using (var reader = new Integrity.TargetTableReader(connection, table, columns))
            while (reader.Read()) sum += hasher.Hash(reader).Row;
        return sum == expected ? null : new(true, " whose content differs from what the run wrote (rows changed or added since), so undo would lose them");
    }
}
