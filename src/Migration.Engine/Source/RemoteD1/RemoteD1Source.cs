using System.Globalization;
using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Schema;

namespace Migration.Engine.Source.RemoteD1;

/// <summary>
/// Reads a remote D1 database over Cloudflare's API as a source: the catalog as
/// <see cref="D1Source"/> describes it, and each table's rows through <c>/raw</c> in keyset
/// pages ordered by the primary key (or rowid), so the rows, their order and their
/// <see cref="Row.SourceKey"/> are those a <see cref="Sqlite.SqliteFileSource"/> yields for a
/// copy of the same database. Every request is a read (<see cref="RetrySafety.Read"/>): the
/// client retries it after a 429, a 5xx, a timeout or a reset, and its limiter keeps the rate
/// within the account's API limit. Values come exact through <see cref="D1ExactRead"/>
/// (integers over 64 bits, REALs bit for bit, TEXT with NUL/CR/emoji, BLOBs).
/// </summary>
/// <remarks>
/// <para>
/// Consistency: D1 has no snapshot that spans requests, so unlike a file this source reads each
/// page at its own moment. What it guarantees: every row that exists for the whole read of its
/// table is read exactly once, in key order (keyset pages never skip or repeat a key); a row
/// inserted, deleted or changed during the read may be seen new, old, or not at all. To make
/// such a change visible, each table's rows are counted before and after its read
/// (<c>count(*)</c>, one request each); a count that changed, or a number of rows read that is
/// neither, is reported through <see cref="Warning"/>, naming the table and the counts. (D1's
/// Time Travel restores a database to a bookmark but reads nothing at one, so it offers no
/// snapshot to read from; a consistent export is a quiet database, or
/// <c>wrangler d1 export</c> into a file read with <c>-Path</c>.)
/// </para>
/// <para>
/// Pages stay inside D1's limits: one or two parameters per key column (&lt;= 100), one result
/// column per table column (and the rowid of a keyless table: for a keyless table of
/// <see cref="MaxResultColumns"/> columns it has no room, so its pages are read apart, see
/// <see cref="RowidApartPage"/>), a page's row count adapted to the rows' size so a response holds
/// about <see cref="PageBytes"/>, at most <see cref="MaxPageRows"/> rows (a keyset read of an
/// index is quick; a page far below 30 s). A page that still fails after the client's retries
/// (a D1 that runs out of time or memory on it) is asked again with a quarter of the rows, up to
/// twice. The next page is requested as soon as the current one arrives, so the network's
/// latency overlaps with the pipeline's work on the current page.
/// </para>
/// </remarks>
public sealed class RemoteD1Source : D1Source
{
    readonly D1DatabaseClient _db;
    bool _disposed;
    long _requests;

    /// <param name="db">The database's client (its <see cref="CloudflareApiClient"/>: timeout, rate limiter, retries).</param>
    /// <param name="location">How messages name it (<c>d1://name/uuid</c>).</param>
    public RemoteD1Source(D1DatabaseClient db, string location) : base(location)
    {
        ArgumentNullException.ThrowIfNull(db);
        _db = db;
    }

    /// <summary>The most result columns D1 returns (SQLITE_LIMIT_COLUMN in workerd): a wider SELECT is refused ("too many columns in result set").</summary>
    public const int MaxResultColumns = 100;

    /// <summary>Aimed size of one page's values, in bytes (roughly).</summary>
    public int PageBytes { get; init; } = 2_000_000;

    /// <summary>The most rows one page asks for.</summary>
    public int MaxPageRows { get; init; } = 5_000;

    /// <summary>The rows the first page of a table asks for (then adapted to the rows' size).</summary>
    public int FirstPageRows { get; init; } = 200;

    /// <summary>Requests this source has made.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>A table whose row count changed while it was read (named, with the counts).</summary>
    public event Action<string>? Warning;

    /// <summary>What the read is doing (pages, page size changes), for -Verbose.</summary>
    public event Action<string>? Log;

    protected override IReadOnlyList<object?[]> Query(string template, params object?[] values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Raw(D1Statement.Of(template, values), exact: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    public override IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var keyColumns = KeyColumns(table);
        if (afterKey is { Count: > 0 } && afterKey.Count != keyColumns.Count)
            throw new ArgumentException($"Table {table.Name}: the key after which to start has {afterKey.Count} values, the key {keyColumns.Count}.", nameof(afterKey));
        return Read(table, keyColumns, afterKey is { Count: > 0 } ? afterKey : null, progress);
    }

    IEnumerable<Row> Read(TableSchema table, IReadOnlyList<string> keyColumns, IReadOnlyList<object?>? afterKey, Action<ExportProgress>? progress)
    {
        var n = table.Columns.Count;
        var keyAt = table.HasPrimaryKey ? [.. table.PrimaryKey] : new[] { n }; // the rowid follows the columns
        // A primary key of a rowid table may hold several NULLs (SQLite's legacy rule), and a page
        // must not end between them: such tables are paged by (key, rowid), the order in which
        // the key's index (and so the file source) yields them. (Not for 100 columns: D1 returns
        // at most 100 result columns.)
        var tieBreak = table.HasPrimaryKey && n < MaxResultColumns && HasRowid(table.SourceTable);
        // A keyless table of 100 columns has no room for its rowid in the result: read apart.
        var rowidApart = !table.HasPrimaryKey && n >= MaxResultColumns ? table.SourceTable : null;
        var select = new StringBuilder("SELECT ");
        select.AppendJoin(", ", table.Columns.Select(c => D1ExactRead.Column(c.Name)));
        if ((!table.HasPrimaryKey && rowidApart is null) || tieBreak) select.Append(", ").Append(D1ExactRead.Expression("rowid"));
        select.Append(" FROM ").Append(SqlQuote.Identifier(table.SourceTable));
        var pageKeyAt = tieBreak ? [.. keyAt, n] : keyAt;
        var pageKey = tieBreak ? [.. keyColumns, "rowid"] : keyColumns;
        // Templates of D1Statement.Of: a brace in a name is doubled, so it is not taken for a placeholder.
        var from = Braces(select.ToString());
        var order = Braces(" ORDER BY " + string.Join(", ", pageKey));
        var count = Braces("SELECT count(*) FROM " + SqlQuote.Identifier(table.SourceTable));
        // A resume key has no rowid: the rows after it are those after (key, the largest rowid).
        var start = afterKey is null ? null : tieBreak ? [.. afterKey, long.MaxValue] : afterKey;

        var before = Count(count);
        progress?.Invoke(new ExportProgress(table.Name, 0, before));
        using var stop = new CancellationTokenSource();
        var pageRows = FirstPageRows;
        var next = Page(from, order, pageKey, start, pageRows, rowidApart, stop.Token);
        long done = 0;
        try
        {
            while (true)
            {
                var (page, asked) = next.GetAwaiter().GetResult();
                var last = page.Count == asked && page.Count > 0;
                if (last)
                {
                    // The next page goes out now; its rows arrive while these are being used.
                    var lastRow = page[^1];
                    var key = pageKeyAt.Select(k => lastRow[k]).ToArray();
                    pageRows = NextPageRows(page, asked);
                    next = Page(from, order, pageKey, key, pageRows, rowidApart, stop.Token);
                }
                foreach (var values in page)
                {
                    var row = values.Length == n ? values : values[..n];
                    var key = new object?[keyAt.Length];
                    for (var i = 0; i < key.Length; i++) key[i] = values[keyAt[i]];
                    done++;
                    if (progress is not null && done % PgExporter.ProgressInterval == 0) progress(new ExportProgress(table.Name, done, before));
                    yield return new Row(table, row) { SourceKey = key };
                }
                if (!last) break;
            }
        }
        finally
        {
            // An early stop (the pipeline ended, Ctrl+C): the page in flight is abandoned.
            stop.Cancel();
        }
        var after = Count(count);
        if (before != after || (afterKey is null && done != after))
            Warning?.Invoke($"Table {table.Name} changed while it was read from {Location}: {before} rows before, {after} after, {done} read"
                + (afterKey is null ? "" : " (after the resume key)") + ". D1 keeps no snapshot across requests: rows written during the read may be missing or in their old or new form; read it again when nothing writes to it.");
        progress?.Invoke(new ExportProgress(table.Name, done, done));
    }

    int NextPageRows(IReadOnlyList<object?[]> page, int asked)
    {
        long bytes = 0;
        foreach (var row in page)
            foreach (var v in row)
                bytes += v switch { string s => s.Length + 4, byte[] b => 4 * b.Length + 2, _ => 12 };
        var perRow = Math.Max(1, bytes / page.Count);
        var wanted = (int)Math.Clamp(PageBytes / perRow, 1, MaxPageRows);
        // Grow gradually: a table's first rows need not be typical of the rest.
        return Math.Min(wanted, Math.Max(asked * 4, 1));
    }

    /// <summary>
    /// One page: the rows after <paramref name="afterKey"/> (all from the start when null), at most <paramref name="rows"/>.
    /// <paramref name="rowidApart"/>: the keyless table whose rowid does not fit in the result (<see cref="RowidApartPage"/>).
    /// </summary>
    async Task<(IReadOnlyList<object?[]> Rows, int Asked)> Page(string from, string order, IReadOnlyList<string> keyColumns, IReadOnlyList<object?>? afterKey,
        int rows, string? rowidApart, CancellationToken cancellationToken)
    {
        for (var shrink = 0; ; shrink++)
        {
            var values = new List<object?>();
            var sql = from + (afterKey is null ? "" : " WHERE " + After(keyColumns, afterKey, values)) + order + " LIMIT {" + values.Count.ToString(CultureInfo.InvariantCulture) + "}";
            values.Add((long)rows);
            try
            {
                if (rowidApart is not null) return (await RowidApartPage(rowidApart, from, order, afterKey, rows, cancellationToken).ConfigureAwait(false), rows);
                return (await Raw(D1Statement.Of(sql, [.. values]), exact: true, cancellationToken).ConfigureAwait(false), rows);
            }
            catch (Exception ex) when (rows > 1 && shrink < 2 && IsTooMuchForOneRequest(ex))
            {
                // The client retried already; a page D1 cannot serve in time or memory is asked again smaller.
                var smaller = Math.Max(1, rows / 4);
                Log?.Invoke($"A page of {rows} rows failed after the client's retries ({ex.Message}); asking for {smaller}.");
                rows = smaller;
            }
        }
    }

    /// <summary>
    /// A page of a keyless table of <see cref="MaxResultColumns"/> columns, whose rowid (its key)
    /// would be a column too many: the page's rowids first, in order (one request), then the rows
    /// of exactly those rowids in rowid order (a second, the rowids bound as one JSON array), each
    /// given its rowid as the last value, as a narrower keyless table's page has it. Keyset paging
    /// is kept (the next page starts after the last rowid). A row deleted between the two requests
    /// leaves a rowid without a row, so which row is which could not be told: the page is asked
    /// again, a few times, then the read fails naming the table (never a row with another's key).
    /// </summary>
    async Task<IReadOnlyList<object?[]>> RowidApartPage(string table, string from, string order, IReadOnlyList<object?>? afterKey, int rows, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var values = new List<object?>();
            var ids = Braces("SELECT " + D1ExactRead.Expression("rowid") + " FROM " + SqlQuote.Identifier(table))
                + (afterKey is null ? "" : " WHERE " + After(["rowid"], afterKey, values)) + " ORDER BY rowid LIMIT {" + values.Count.ToString(CultureInfo.InvariantCulture) + "}";
            values.Add((long)rows);
            var rowids = (await Raw(D1Statement.Of(ids, [.. values]), exact: true, cancellationToken).ConfigureAwait(false)).Select(r => (long)r[0]!).ToList();
            if (rowids.Count == 0) return [];
            var json = "[" + string.Join(",", rowids.Select(r => r.ToString(CultureInfo.InvariantCulture))) + "]";
            var page = await Raw(D1Statement.Of(from + " WHERE rowid IN (SELECT value FROM json_each({0}))" + order, json), exact: true, cancellationToken).ConfigureAwait(false);
            if (page.Count == rowids.Count) return [.. page.Select((row, i) => (object?[])[.. row, rowids[i]])];
            if (attempt == 3)
                throw new InvalidOperationException($"Table {table} of {Location}: rows were deleted while each of 3 attempts at a page after rowid {afterKey?[0]?.ToString() ?? "(start)"} was read, so the rows could not be matched with their rowids. Read it again when nothing writes to it.");
        }
    }

    static bool IsTooMuchForOneRequest(Exception ex) => ex switch
    {
        CloudflareUnavailableException => true,
        D1SqlException sql => sql.Message.Contains("exceeded", StringComparison.OrdinalIgnoreCase)
                              || sql.Message.Contains("too big", StringComparison.OrdinalIgnoreCase)
                              || sql.Message.Contains("TOOBIG", StringComparison.Ordinal)
                              || sql.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>
    /// The rows after <paramref name="key"/> in key order, as a condition; its values are added to
    /// <paramref name="values"/> as <c>{i}</c> placeholders. Each is bound without affinity
    /// (<c>+</c>), so a column compares with it exactly as ORDER BY compares two of its values
    /// (a column with no affinity mixing integers and number-like texts included). A row value
    /// comparison (<c>(a, b) &gt; (x, y)</c>, served by the key's index) when the key has no NULL;
    /// otherwise the same order spelled out, NULL first as ORDER BY sorts it (a NULL key never
    /// compares greater, so the row value form would end the read there).
    /// </summary>
    internal static string After(IReadOnlyList<string> keyColumns, IReadOnlyList<object?> key, List<object?> values)
    {
        string Bind(object? value)
        {
            values.Add(value);
            return "+{" + (values.Count - 1).ToString(CultureInfo.InvariantCulture) + "}";
        }
        keyColumns = [.. keyColumns.Select(Braces)];
        if (key.All(v => v is not null))
        {
            if (keyColumns.Count == 1) return $"{keyColumns[0]} > {Bind(key[0])}";
            return $"({string.Join(", ", keyColumns)}) > ({string.Join(", ", key.Select(Bind))})";
        }
        var terms = new List<string>();
        for (var i = 0; i < keyColumns.Count; i++)
        {
            var term = new List<string>();
            for (var j = 0; j < i; j++) term.Add(key[j] is null ? $"{keyColumns[j]} IS NULL" : $"{keyColumns[j]} = {Bind(key[j])}");
            term.Add(key[i] is null ? $"{keyColumns[i]} IS NOT NULL" : $"{keyColumns[i]} > {Bind(key[i])}");
            terms.Add("(" + string.Join(" AND ", term) + ")");
        }
        return "(" + string.Join(" OR ", terms) + ")";
    }

    /// <summary>Whether a table has a rowid (is not WITHOUT ROWID).</summary>
    bool HasRowid(string table) => Query("SELECT wr FROM pragma_table_list WHERE name = {0}", table) is [var row, ..] && System.Convert.ToInt64(row[0], CultureInfo.InvariantCulture) == 0;

    static string Braces(string sql) => sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    long Count(string sql) => System.Convert.ToInt64(Query(sql)[0][0], CultureInfo.InvariantCulture);

    async Task<IReadOnlyList<object?[]>> Raw(D1Statement statement, bool exact, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        var result = await _db.RawAsync(statement, RetrySafety.Read, cancellationToken).ConfigureAwait(false);
        return result.Count == 0 ? [] : result[^1].DecodeRows(exact);
    }

    protected override void Dispose(bool disposing) => _disposed = true;
}
