using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// A prepared <c>SELECT 1 FROM parent WHERE key = ... LIMIT 1</c> run per row through the SQLite
/// C API (<see cref="PreparedStatement"/>), as <see cref="PreparedInsert"/> runs the insert: a
/// foreign key the file does not declare is looked up before every insert, and
/// <c>SqliteCommand.ExecuteScalar</c> made a data reader, a data record, its dictionary and an
/// enumerator per row (~300 bytes of garbage per row and microseconds of CPU, measured by
/// allocation ticks at 111k rows in pwsh). It runs on the target connection's handle, so it sees
/// the rows of the open transaction, as the command did.
/// </summary>
internal sealed class PreparedLookup(SqliteConnection connection, string sql, int parameterCount)
    : PreparedStatement(connection, sql, parameterCount)
{
    /// <summary>
    /// Whether the statement finds a row for the values at <paramref name="ordinals"/> of
    /// <paramref name="values"/>, bound to the parameters in order (D1 values: long, double,
    /// string, byte[]; never null, a key with a NULL is not looked up).
    /// </summary>
    public bool Exists(object?[] values, int[] ordinals)
    {
        StartRow();
        for (var i = 0; i < ordinals.Length; i++) Bind(i, values[ordinals[i]]);
        var step = SqliteNative.sqlite3_step(Handle);
        if (step is not (raw.SQLITE_ROW or raw.SQLITE_DONE)) Fail(step);
        SqliteNative.sqlite3_reset(Handle);
        return step == raw.SQLITE_ROW;
    }
}
