using System.Runtime.InteropServices;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The handful of SQLite C calls made once per value and once per row, loading a table or reading
/// one back for a checksum, declared with raw pointers. Through SQLitePCLRaw each call marshals
/// a SafeHandle (add-ref, release, a GC transition with thread-local lookups): measured on a
/// 1.1M-row load, that marshalling cost the writer thread more CPU than SQLite's own work, and
/// it was the largest cost of hashing the target side. The library is the very one
/// SQLitePCLRaw loaded (same name, resolved by the same probing, or in pwsh by the module's
/// resolver, which covers this assembly too), so the pointers are its own. Everything that is
/// not per row (prepare, errors, transactions) still goes through SQLitePCLRaw.
/// </summary>
internal static unsafe partial class SqliteNative
{
    const string Library = "e_sqlite3";

    /// <summary>SQLITE_STATIC: the caller keeps the bytes valid until the parameter is bound again.</summary>
    public static readonly IntPtr Static = IntPtr.Zero;

    /// <summary>SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.</summary>
    public static readonly IntPtr Transient = new(-1);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_null(IntPtr statement, int index);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_int64(IntPtr statement, int index, long value);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_double(IntPtr statement, int index, double value);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_text(IntPtr statement, int index, byte* utf8, int length, IntPtr destructor);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_blob(IntPtr statement, int index, byte* data, int length, IntPtr destructor);

    [LibraryImport(Library)]
    public static partial int sqlite3_step(IntPtr statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_reset(IntPtr statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_changes(IntPtr database);

    [LibraryImport(Library)]
    public static partial int sqlite3_column_type(IntPtr statement, int column);

    [LibraryImport(Library)]
    public static partial long sqlite3_column_int64(IntPtr statement, int column);

    [LibraryImport(Library)]
    public static partial double sqlite3_column_double(IntPtr statement, int column);

    /// <summary>For TEXT, its UTF-8 bytes as stored (no conversion); call before <see cref="sqlite3_column_bytes"/>.</summary>
    [LibraryImport(Library)]
    public static partial byte* sqlite3_column_blob(IntPtr statement, int column);

    [LibraryImport(Library)]
    public static partial int sqlite3_column_bytes(IntPtr statement, int column);

    /// <summary>The bytes of a TEXT or BLOB value of the current row, valid until the next step.</summary>
    public static ReadOnlySpan<byte> ColumnBytes(IntPtr statement, int column)
    {
        var data = sqlite3_column_blob(statement, column);
        var length = sqlite3_column_bytes(statement, column);
        return data is null ? [] : new ReadOnlySpan<byte>(data, length);
    }

    /// <summary>
    /// Column <paramref name="column"/> of the current row as Microsoft.Data.Sqlite's GetValue gives
    /// it (INTEGER a long, REAL a double, TEXT a string decoded from the stored UTF-8, BLOB a
    /// byte[]), except that NULL is null, not DBNull: one type call and one value call, no
    /// SafeHandle marshalling (reading a D1 file, this was most of the reader thread's work).
    /// </summary>
    public static object? ColumnValue(IntPtr statement, int column) => sqlite3_column_type(statement, column) switch
    {
        SQLitePCL.raw.SQLITE_INTEGER => sqlite3_column_int64(statement, column),
        SQLitePCL.raw.SQLITE_FLOAT => sqlite3_column_double(statement, column),
        SQLitePCL.raw.SQLITE_TEXT => System.Text.Encoding.UTF8.GetString(ColumnBytes(statement, column)),
        SQLitePCL.raw.SQLITE_BLOB => ColumnBytes(statement, column).ToArray(),
        _ => null,
    };

    /// <summary>
    /// Prepares <paramref name="sql"/> through SQLitePCLRaw (whose handle keeps the statement
    /// alive and finalizes it on dispose) for the per-row calls above; SQLite's error as a SqliteException.
    /// </summary>
    public static SQLitePCL.sqlite3_stmt Prepare(SQLitePCL.sqlite3 db, string sql)
    {
        var rc = SQLitePCL.raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc == SQLitePCL.raw.SQLITE_OK && statement is not null) return statement;
        statement?.Dispose();
        Microsoft.Data.Sqlite.SqliteException.ThrowExceptionForRC(rc == SQLitePCL.raw.SQLITE_OK ? SQLitePCL.raw.SQLITE_ERROR : rc, db);
        throw new InvalidOperationException("unreachable: ThrowExceptionForRC throws for an error code");
    }
}
