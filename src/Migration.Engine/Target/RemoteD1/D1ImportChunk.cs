using System.Text;
using Migration.Engine.Cloudflare;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// One chunk of the import path: the SQL file sent through D1's import API for one batch, and
/// that batch's <see cref="IBatchStatements"/>. It holds the journal's statements for the batch
/// (batch row, checkpoint, quarantine; values inlined as literals by
/// <see cref="D1NamedStatement.Inline"/>) first, then the rows as multi-row INSERTs of literals
/// (<see cref="LiteralInsert"/>), each within D1's limits. D1 runs the file as one unit and reverts
/// it on failure, so rows and journal land together or not at all; and since the batch row's
/// INSERT has the key (run, table, batch), a chunk applied a second time fails as a whole.
/// </summary>
/// <remarks>No BEGIN/COMMIT (D1 refuses them). A table with foreign keys gets
/// <c>PRAGMA defer_foreign_keys = on</c> first: keys are checked when the chunk commits.</remarks>
internal sealed class D1ImportChunk : IBatchStatements
{
    /// <summary>
    /// Rows per statement are also bounded by SQLite's opcode limit in D1 (SQLITE_LIMIT_VDBE_OP
    /// 25,000; a VALUES row costs about one opcode per column and two more): kept under 20,000.
    /// </summary>
    const int MaxOpcodes = 20_000;

    readonly StringBuilder _sql = new();

    public D1ImportChunk(bool deferForeignKeys)
    {
        if (deferForeignKeys) Append("PRAGMA defer_foreign_keys = on");
    }

    /// <summary>Statements in the file.</summary>
    public int Statements { get; private set; }

    public void Execute(string sql, params (string Name, object? Value)[] parameters) => Append(D1NamedStatement.Inline(sql, parameters));

    /// <summary>Adds the rows (their literal tuples, in order) as INSERTs filled up to <paramref name="maxStatementBytes"/>.</summary>
    public void Insert(LiteralInsert insert, int columns, IReadOnlyList<string> tuples, int maxStatementBytes)
    {
        var statement = new StringBuilder(insert.Prefix);
        long bytes = insert.FixedBytes;
        int rows = 0, opcodes = 0;
        foreach (var tuple in tuples)
        {
            var size = Encoding.UTF8.GetByteCount(tuple);
            // A real written as an exact binary expression costs up to 18 more opcodes.
            var cost = columns + 2 + 18 * CountOf(tuple, " AS REAL)");
            if (rows > 0 && (opcodes + cost > MaxOpcodes || bytes + 2 + size > maxStatementBytes))
            {
                Append(statement.Append(insert.Suffix).ToString());
                statement.Clear().Append(insert.Prefix);
                bytes = insert.FixedBytes;
                rows = opcodes = 0;
            }
            if (rows > 0) { statement.Append(", "); bytes += 2; }
            statement.Append(tuple);
            bytes += size;
            opcodes += cost;
            rows++;
        }
        if (rows > 0) Append(statement.Append(insert.Suffix).ToString());
    }

    static int CountOf(string text, string part)
    {
        var n = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    void Append(string statement)
    {
        _sql.Append(statement).Append(";\n");
        Statements++;
    }

    /// <summary>The file's bytes (UTF-8), as uploaded; its MD5 is the import's etag.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_sql.ToString());

    /// <summary>Whether a row's tuple fits one statement of this INSERT (else it goes through <c>/query</c>, values bound).</summary>
    public static bool Fits(LiteralInsert insert, string tuple, int maxStatementBytes) =>
        insert.FixedBytes + Encoding.UTF8.GetByteCount(tuple) <= Math.Min(maxStatementBytes, D1Statement.MaxSqlBytes);
}
