using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// A statement prepared once on the target connection and run per row through the SQLite C API
/// (<see cref="SqliteNative"/>: the per-value and per-row calls go straight to the C library),
/// with text and blobs bound from a pinned arena SQLite reads without copying
/// (<see cref="BindArena"/>). What <see cref="PreparedInsert"/> and <see cref="PreparedLookup"/>
/// share: the prepare, the binding of a D1 value, and the failure as a <see cref="SqliteException"/>.
/// It runs on the connection's own handle, so it sees (and writes into) the open transaction.
/// </summary>
internal abstract class PreparedStatement : IDisposable
{
    readonly sqlite3_stmt _statement;
    readonly int[] _parameterIndex;
    readonly BindArena _arena = new();

    /// <param name="sql">The statement; its parameters are <see cref="SqliteSql.Parameter"/>(0 .. <paramref name="parameterCount"/> - 1).</param>
    protected PreparedStatement(SqliteConnection connection, string sql, int parameterCount)
    {
        Db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var statement = SqliteNative.Prepare(Db, sql);
        _statement = statement;
        Handle = statement.DangerousGetHandle();
        _parameterIndex = new int[parameterCount];
        for (var i = 0; i < parameterCount; i++)
            _parameterIndex[i] = raw.sqlite3_bind_parameter_index(_statement, SqliteSql.Parameter(i));
    }

    protected sqlite3 Db { get; }

    /// <summary>The raw statement handle for the per-row calls; the SafeHandle keeps it alive.</summary>
    protected IntPtr Handle { get; }

    /// <summary>Called before a row's first <see cref="Bind"/>: the arena's bytes of the previous row are no longer read.</summary>
    protected void StartRow() => _arena.Reset();

    /// <summary>Binds a value already checked by <see cref="RowValidator"/> (long, double, string, byte[] or null) to parameter <paramref name="parameter"/>.</summary>
    protected unsafe void Bind(int parameter, object? value)
    {
        var stmt = Handle;
        var p = _parameterIndex[parameter];
        var rc = value switch
        {
            null => SqliteNative.sqlite3_bind_null(stmt, p),
            long l => SqliteNative.sqlite3_bind_int64(stmt, p, l),
            double d => SqliteNative.sqlite3_bind_double(stmt, p, d),
            string s => SqliteNative.sqlite3_bind_text(stmt, p, _arena.Utf8(s, out var n), n, SqliteNative.Static),
            byte[] b => SqliteNative.sqlite3_bind_blob(stmt, p, _arena.Copy(b), b.Length, SqliteNative.Static),
            _ => throw new InvalidOperationException($"Unchecked value of type {value.GetType().FullName}."),
        };
        if (rc != raw.SQLITE_OK) Fail(rc);
    }

    /// <summary>Resets the statement and throws SQLite's error for <paramref name="rc"/>.</summary>
    protected void Fail(int rc)
    {
        var message = raw.sqlite3_errmsg(Db).utf8_to_string();
        var extended = raw.sqlite3_extended_errcode(Db);
        raw.sqlite3_reset(_statement);
        throw new SqliteException($"SQLite Error {rc}: '{message}'.", rc & 0xFF, extended);
    }

    public void Dispose() => _statement.Dispose();
}
