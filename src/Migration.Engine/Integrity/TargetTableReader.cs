using Migration.Engine.Schema;
using Microsoft.Data.Sqlite;
using Migration.Engine.Target;
using SQLitePCL;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Integrity;

/// <summary>
/// Streams the named columns of a target table through SQLite's own statement API, so the
/// checksum reads each value's storage class and bytes directly: text arrives as the UTF-8
/// SQLite stores and goes into the hash without a string being made, and the per-value calls go
/// straight to the C library (<see cref="SqliteNative"/>). Values are materialized only for the
/// few rows a narrowing pass keeps.
/// </summary>
sealed class TargetTableReader : IDisposable
{
    readonly sqlite3 _db;
    readonly sqlite3_stmt _stmt;
    readonly IntPtr _handle; // _stmt's, for the per-value calls; _stmt keeps it alive

    public TargetTableReader(SqliteConnection connection, string table, IReadOnlyList<string> columns)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The target connection is not open.");
        var select = columns.Count == 0 ? "NULL" : SqlQuote.Identifiers(columns);
        _stmt = SqliteNative.Prepare(_db, $"SELECT {select} FROM {SqlQuote.Identifier(table)}");
        _handle = _stmt.DangerousGetHandle();
        ColumnCount = columns.Count;
    }

    public int ColumnCount { get; }

    public bool Read()
    {
        var rc = SqliteNative.sqlite3_step(_handle);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    /// <summary>Appends column <paramref name="i"/> of the current row in canonical form.</summary>
    public void AppendTo(CanonicalEncoder encoder, int i)
    {
        switch (SqliteNative.sqlite3_column_type(_handle, i))
        {
            case raw.SQLITE_INTEGER: encoder.AppendInteger(SqliteNative.sqlite3_column_int64(_handle, i)); break;
            case raw.SQLITE_FLOAT: encoder.AppendReal(SqliteNative.sqlite3_column_double(_handle, i)); break;
            case raw.SQLITE_TEXT: encoder.AppendTextUtf8(SqliteNative.ColumnBytes(_handle, i)); break;
            case raw.SQLITE_BLOB: encoder.AppendBlob(SqliteNative.ColumnBytes(_handle, i)); break;
            default: encoder.AppendNull(); break;
        }
    }

    public object? GetValue(int i) => SqliteNative.ColumnValue(_handle, i);

    public object?[] GetValues()
    {
        var v = new object?[ColumnCount];
        for (var i = 0; i < v.Length; i++) v[i] = GetValue(i);
        return v;
    }

    public void Dispose() => _stmt.Dispose();
}
