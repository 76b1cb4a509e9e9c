using Microsoft.Data.Sqlite;

namespace Migration.Engine.Target.Sqlite;

/// <summary>The local file's <see cref="IBatchStatements"/>: each statement runs at once in the batch's open transaction.</summary>
internal sealed class SqliteBatchStatements(SqliteConnection connection, SqliteTransaction transaction) : IBatchStatements
{
    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}
