using Microsoft.Data.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// The journal of a local SQLite/D1 file: <see cref="IJournalConnection"/> over a
/// <see cref="SqliteConnection"/>, inside the caller's transaction when there is one.
/// </summary>
internal sealed class SqliteJournalConnection(SqliteConnection connection, string location, SqliteTransaction? transaction = null, bool ownsConnection = false)
    : IJournalConnection
{
    public SqliteConnection Connection { get; } = connection;

    /// <summary>The open transaction (the caller's, or the one <see cref="Atomically"/> holds), else null.</summary>
    public SqliteTransaction? Transaction { get; private set; } = transaction;

    public string Location { get; } = location;

    /// <summary>Opens the file read-write for a journal that owns its connection.</summary>
    public static SqliteJournalConnection Open(string path) => new(SqliteTarget.OpenConnection(path, readOnly: false), path, ownsConnection: true);

    public IReadOnlyList<object?[]> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        // CreateCommand enlists in the connection's open transaction (the caller's) by itself.
        using var command = Connection.CreateCommand();
        if (Transaction is not null) command.Transaction = Transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public void Write(Action<IBatchStatements> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (Transaction is { } open)
        {
            write(new SqliteBatchStatements(Connection, open));
            return;
        }
        using var transaction = Connection.BeginTransaction();
        write(new SqliteBatchStatements(Connection, transaction));
        transaction.Commit();
    }

    public T Atomically<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Transaction is not null) return work();
        using var transaction = Connection.BeginTransaction();
        Transaction = transaction;
        try
        {
            var result = work();
            transaction.Commit();
            return result;
        }
        finally
        {
            Transaction = null;
        }
    }

    public void Dispose()
    {
        if (ownsConnection) Connection.Dispose();
    }
}
