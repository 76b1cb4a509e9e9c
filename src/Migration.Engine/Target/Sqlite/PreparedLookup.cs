using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// A prepared <c>SELECT 1 FROM parent WHERE key = ... LIMIT 1</c> run per row through the SQLite
/// C API, as <see cref="PreparedInsert"/> runs the insert: a foreign key the file does not declare
/// is looked up before every insert, and <c>SqliteCommand.ExecuteScalar</c> made a data reader, a
/// data record, its dictionary and an enumerator per row (~300 bytes of garbage per row and
/// microseconds of CPU, measured by allocation ticks at 111k rows in pwsh). It runs on the
/// target connection's handle, so it sees the rows of the open transaction, as the command did.
/// </summary>
internal sealed class PreparedLookup : IDisposable
{
    readonly sqlite3 _db;
    readonly sqlite3_stmt _statement;
    readonly IntPtr _handle;
    readonly int[] _parameterIndex;
    readonly BindArena _arena = new();

    /// <param name="sql">The query; its parameters are <see cref="SqliteSql.Parameter"/>(0 .. <paramref name="parameterCount"/> - 1).</param>
    public PreparedLookup(SqliteConnection connection, string sql, int parameterCount)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
        if (rc != raw.SQLITE_OK || statement is null)
        {
            statement?.Dispose();
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
        }
        _statement = statement;
        _handle = statement.DangerousGetHandle();
        _parameterIndex = new int[parameterCount];
        for (var i = 0; i < parameterCount; i++)
            _parameterIndex[i] = raw.sqlite3_bind_parameter_index(_statement, SqliteSql.Parameter(i));
    }

    /// <summary>
    /// Whether the statement finds a row for the values at <paramref name="ordinals"/> of
    /// <paramref name="values"/>, bound to the parameters in order (D1 values: long, double,
    /// string, byte[]; never null, a key with a NULL is not looked up).
    /// </summary>
    public unsafe bool Exists(object?[] values, int[] ordinals)
    {
        _arena.Reset();
        var stmt = _handle;
        for (var i = 0; i < ordinals.Length; i++)
        {
            var value = values[ordinals[i]];
            var p = _parameterIndex[i];
            var rc = value switch
            {
                null => SqliteNative.sqlite3_bind_null(stmt, p),
                long l => SqliteNative.sqlite3_bind_int64(stmt, p, l),
                double d => SqliteNative.sqlite3_bind_double(stmt, p, d),
                string s => SqliteNative.sqlite3_bind_text(stmt, p, _arena.Utf8(s, out var n), n, SqliteNative.Static),
                byte[] b => SqliteNative.sqlite3_bind_blob(stmt, p, _arena.Copy(b), b.Length, SqliteNative.Static),
                _ => throw new InvalidOperationException($"Unchecked key value of type {value.GetType().FullName}."),
            };
            if (rc != raw.SQLITE_OK) Fail(rc);
        }
        var step = SqliteNative.sqlite3_step(stmt);
        if (step is not (raw.SQLITE_ROW or raw.SQLITE_DONE)) Fail(step);
        SqliteNative.sqlite3_reset(stmt);
        return step == raw.SQLITE_ROW;
    }

    void Fail(int rc)
    {
        var message = raw.sqlite3_errmsg(_db).utf8_to_string();
        var extended = raw.sqlite3_extended_errcode(_db);
        raw.sqlite3_reset(_statement);
        throw new SqliteException($"SQLite Error {rc}: '{message}'.", rc & 0xFF, extended);
    }

    public void Dispose() => _statement.Dispose();
}
