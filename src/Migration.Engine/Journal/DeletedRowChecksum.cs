using Microsoft.Data.Sqlite;
using Migration.Engine.Integrity;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.Engine.Journal;

/// <summary>
/// Keeps a run's checksum of a table true when the run deletes a row it wrote: under
/// -OrphanPolicy Skip, a row loaded with its deferred foreign key NULL whose parent the fix-up
/// finds missing. The checksum (the sum of the table's batch checksums) is what undo compares
/// with a table the run found empty before it empties it; with the deleted row's hash still in
/// it, that proof failed and undo of an untouched table was refused without -Force.
/// </summary>
/// <remarks>
/// The batch hashed the row as the source gave it, deferred values included, and the table
/// holds those columns NULL: the row is read back by its key and hashed with the deferred
/// values put back. A checksum that proves nothing already (none, mixed column sets, another
/// version's scheme) is left as it is. The remote fix-up keeps it true the same way
/// (<see cref="Target.RemoteD1.RemoteDeletedRowChecksum"/>).
/// </remarks>
internal sealed class DeletedRowChecksum : IDisposable
{
    readonly long _runId;
    readonly string _table;
    readonly string[] _columns;
    readonly RowHasher _hasher;
    readonly SqliteCommand _read;
    UInt128 _sum;

    DeletedRowChecksum(SqliteConnection connection, long runId, string table, string[] columns, UInt128 sum, string keyWhere)
    {
        _runId = runId;
        _table = table;
        _columns = columns;
        _sum = sum;
        _hasher = new RowHasher(columns, []);
        _read = connection.CreateCommand();
        _read.CommandText = $"SELECT {SqlQuote.Identifiers(columns)} FROM {SqlQuote.Identifier(table)} WHERE {keyWhere}";
    }

    /// <summary>The tracker of the run's checksum of <paramref name="table"/>, or null when the run kept none that proves anything. <paramref name="keyWhere"/> names key value i <see cref="SqliteSql.Parameter"/>(i).</summary>
    public static DeletedRowChecksum? For(SqliteConnection connection, long runId, string table, string keyWhere)
    {
        return Parse(JournalStore.TableChecksum(connection, null, runId, table)) is var (columns, sum)
            ? new DeletedRowChecksum(connection, runId, table, columns, sum, keyWhere)
            : null;
    }

    /// <summary>
    /// The run's checksum of a table (<see cref="JournalStore.TableChecksum(IJournalConnection, long, string)"/>)
    /// as its columns and sum, or null when it proves nothing already (none, mixed column sets, another version's scheme).
    /// </summary>
    internal static (string[] Columns, UInt128 Sum)? Parse((string? Columns, string? Checksum) recorded)
    {
        var columns = recorded.Columns is null ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(recorded.Columns);
        return columns is null || recorded.Checksum is null || !ContentHash.TryParseStored(recorded.Checksum, out var sum) ? null : (columns, sum);
    }

    /// <summary>
    /// The hash the run's batch gave a row that the table holds as <paramref name="values"/> (over
    /// <paramref name="columns"/>): with <paramref name="putBack"/> (column, value as the batch
    /// hashed it) in place of the deferred values the table holds NULL.
    /// </summary>
    internal static UInt128 HashAsWritten(RowHasher hasher, string[] columns, object?[] values, IEnumerable<(string Column, object? Value)> putBack)
    {
        foreach (var (column, value) in putBack)
        {
            var i = Array.FindIndex(columns, c => string.Equals(c, column, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) values[i] = value;
        }
        return hasher.Hash(values).Row;
    }

    /// <summary>
    /// Before the row with <paramref name="key"/> is deleted, in the deletion's transaction: takes
    /// its hash out, with <paramref name="putBack"/> (column, value as the batch hashed it) in place of what the table holds.
    /// </summary>
    public void Removing(SqliteTransaction transaction, object?[] key, IEnumerable<(string Column, object? Value)> putBack)
    {
        _read.Transaction = transaction;
        _read.Parameters.Clear();
        for (var i = 0; i < key.Length; i++) _read.Parameters.AddWithValue(SqliteSql.Parameter(i), key[i] ?? DBNull.Value);
        object?[] values;
        using (var reader = _read.ExecuteReader())
        {
            if (!reader.Read()) return; // not there: nothing of it is in the table to take out
            values = new object?[_columns.Length];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
        _sum -= HashAsWritten(_hasher, _columns, values, putBack);
    }

    /// <summary>Writes the checksum without the rows taken out so far, in the deletions' transaction.</summary>
    public void Save(IBatchStatements statements) => JournalStore.ReplaceChecksum(statements, _runId, _table, ContentHash.ToStored(_sum));

    public void Dispose() => _read.Dispose();
}
