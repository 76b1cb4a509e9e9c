using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Migration.Engine.Cloudflare;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// The remote side of an integrity check: the named tables of a remote D1 (and the tables their
/// foreign keys point to) read through <c>/raw</c> in rowid keyset pages, values exact
/// (<see cref="D1ExactRead"/>), into a private temporary SQLite file with the remote's own DDL
/// and indexes. The checks then run on it unchanged (<see cref="IntegrityChecker"/>), so remote
/// and local are judged by the same code; the file is deleted on Dispose.
/// </summary>
/// <remarks>
/// Pages stay within D1's limits: one parameter per request, one result column per table column,
/// and a page's row count adapted to the rows' size so a response stays near
/// <see cref="PageBytes"/>. WITHOUT ROWID tables have no rowid to page by and are refused.
/// </remarks>
public sealed class RemoteD1Mirror : IDisposable
{
    const int MaxPageRows = 1000;
    readonly D1DatabaseClient _db;
    readonly string _dir;
    readonly SqliteConnection _local;
    readonly HashSet<string> _copied = new(StringComparer.OrdinalIgnoreCase);
    bool _withParents = true;

    RemoteD1Mirror(D1DatabaseClient db)
    {
        _db = db;
        _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "d1-integrity-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        Path = System.IO.Path.Combine(_dir, "remote.sqlite");
        _local = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _local.Open();
        Execute("PRAGMA journal_mode = OFF");
        Execute("PRAGMA synchronous = OFF");
        // Tables arrive one by one, a child possibly before its parent; ForeignKeys checks them afterwards.
        Execute("PRAGMA foreign_keys = OFF");
    }

    /// <summary>The temporary file holding the copy.</summary>
    public string Path { get; }

    /// <summary>Aimed size of one page's response (values' bytes, roughly).</summary>
    public static int PageBytes { get; set; } = 2_000_000;

    public long Requests { get; private set; }
    public long Rows { get; private set; }

    /// <summary>
    /// Copies <paramref name="tables"/> (D1 names; those the remote does not have are left out,
    /// so the checks report them missing) and, unless <paramref name="withParents"/> is false
    /// (undo's proof of a table's own content needs none), their foreign-key parents.
    /// </summary>
    public static RemoteD1Mirror Create(D1DatabaseClient db, IEnumerable<string> tables, Action<string>? progress = null, bool withParents = true)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tables);
        var mirror = new RemoteD1Mirror(db) { _withParents = withParents };
        try
        {
            foreach (var t in tables) mirror.Copy(t, progress);
            mirror._local.Close();
            return mirror;
        }
        catch
        {
            mirror.Dispose();
            throw;
        }
    }

    void Copy(string table, Action<string>? progress)
    {
        if (!_copied.Add(table)) return;
        var found = Raw(D1Statement.Of("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name = {0} COLLATE NOCASE", table));
        if (found.Count == 0) return;
        var name = (string)found[0][0]!;
        _copied.Add(name);
        Execute((string)found[0][1]!);
        foreach (var index in Raw(D1Statement.Of("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = {0} AND sql IS NOT NULL", name)))
            Execute((string)index[0]!);
        var columns = Raw(D1Statement.Of("SELECT name FROM pragma_table_info({0}) ORDER BY cid", name)).Select(r => (string)r[0]!).ToList();
        var copied = CopyRows(name, columns);
        progress?.Invoke($"Read {copied} row(s) of {name} from the remote D1 ({Requests} request(s) so far).");
        if (!_withParents) return;
        foreach (var parent in Raw(D1Statement.Of("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list({0})", name)))
            Copy((string)parent[0]!, progress);
    }

    long CopyRows(string table, IReadOnlyList<string> columns)
    {
        var select = new StringBuilder("SELECT ").Append(D1ExactRead.Expression("rowid"));
        foreach (var c in columns) select.Append(", ").Append(D1ExactRead.Column(c));
        select.Append(" FROM ").Append(SqlQuote.Identifier(table)).Append(" WHERE rowid > {0} ORDER BY rowid LIMIT {1}");
        var template = select.ToString();

        using var tx = _local.BeginTransaction();
        using var insert = _local.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO {SqlQuote.Identifier(table)} (rowid{string.Concat(columns.Select(c => ", " + SqlQuote.Identifier(c)))}) VALUES ($p0{string.Concat(columns.Select((_, i) => $", $p{i + 1}"))})";
        var parameters = Enumerable.Range(0, columns.Count + 1).Select(i => insert.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), null))).ToArray();

        long after = long.MinValue, total = 0;
        var pageRows = 100;
        while (true)
        {
            IReadOnlyList<object?[]> page;
            try { page = Raw(D1Statement.Of(template, after, (long)pageRows), exact: true); }
            catch (D1SqlException ex) when (ex.Message.Contains("rowid", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Table {table} in the remote D1 has no rowid (WITHOUT ROWID); its integrity cannot be read in pages yet.", ex);
            }
            long bytes = 0;
            foreach (var row in page)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                    bytes += row[i] switch { string s => s.Length, byte[] b => b.Length, _ => 8 };
                }
                insert.ExecuteNonQuery();
            }
            total += page.Count;
            Rows += page.Count;
            if (page.Count < pageRows) break;
            after = (long)page[^1][0]!;
            var perRow = Math.Max(1, bytes / page.Count);
            pageRows = (int)Math.Clamp(PageBytes / perRow, 1, MaxPageRows);
        }
        tx.Commit();
        return total;
    }

    IReadOnlyList<object?[]> Raw(D1Statement statement, bool exact = false)
    {
        Requests++;
        var result = _db.RawAsync(statement, RetrySafety.Read).GetAwaiter().GetResult();
        return result.Count == 0 ? [] : result[^1].DecodeRows(exact);
    }

    void Execute(string sql)
    {
        using var cmd = _local.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _local.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { } // a temporary file; the OS cleans the temp folder
    }
}
