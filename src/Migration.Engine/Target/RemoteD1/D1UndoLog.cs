using System.Globalization;
using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// The undo log of a remote D1, for tables that held rows before the run: the same log as the
/// local file's (<see cref="UndoLogTriggers"/>: each row the run inserts, and a before-image of
/// each row it deletes or updates, in <c>d1_migration_undo</c>), written by triggers that exist
/// only inside each batch's own request. D1 runs a request as one transaction and nothing else
/// runs between its statements, so triggers created as the request's first statements and
/// dropped as its last log exactly the run's own writes: other clients' writes happen between
/// requests, when the triggers are not there, and a request that fails leaves neither triggers
/// nor log entries (it rolls back whole). <c>recursive_triggers</c> is on for the same span
/// because SQLite fires delete triggers for REPLACE's deletions only then (a row REPLACE removes
/// for clashing on another UNIQUE column is logged too).
/// </summary>
/// <remarks>
/// A remote D1 has no registered functions, so the before-image is built in SQL, as text:
/// values joined by <c>,</c>, each <c>n</c> (NULL), <c>i</c>+decimal, <c>r</c>+<c>printf('%!.17g')</c>
/// (17 significant digits: every double round-trips; <c>Inf</c>/<c>-Inf</c>), <c>t</c>+hex of the
/// UTF-8 text, <c>b</c>+hex of the blob. Storage classes and payloads come back exactly (proven by
/// the undo tests over the fidelity corpus). Undo (<see cref="Revert"/>) reads the log and writes
/// the images back with bound parameters.
/// </remarks>
internal static class D1UndoLog
{
    /// <summary>A logged table: its name and its stored columns in order.</summary>
    internal sealed record LoggedTable(string Name, IReadOnlyList<string> Columns);

    /// <summary>The statements that open a batch's logging span (before its rows) and close it (after them).</summary>
    public static (List<D1Statement> Open, List<D1Statement> Close) Span(long runId, IReadOnlyList<LoggedTable> tables)
    {
        var open = new List<D1Statement> { new("PRAGMA recursive_triggers = ON") };
        var close = new List<D1Statement>();
        var run = runId.ToString(CultureInfo.InvariantCulture);
        for (var n = 0; n < tables.Count; n++)
        {
            var t = tables[n];
            var name = SqlQuote.Identifier(t.Name);
            var literal = SqlQuote.Literal(t.Name);
            var id = n.ToString(CultureInfo.InvariantCulture);
            open.Add(new($"CREATE TRIGGER d1_migration_log_i{id} AFTER INSERT ON {name} BEGIN "
                + $"INSERT INTO {JournalTables.UndoLog} (run_id, table_name, op, new_rowid) VALUES ({run}, {literal}, 'I', NEW.rowid); END"));
            open.Add(new($"CREATE TRIGGER d1_migration_log_d{id} AFTER DELETE ON {name} BEGIN "
                + $"INSERT INTO {JournalTables.UndoLog} (run_id, table_name, op, old_rowid, image) VALUES ({run}, {literal}, 'D', OLD.rowid, {Image("OLD", t.Columns)}); END"));
            open.Add(new($"CREATE TRIGGER d1_migration_log_u{id} AFTER UPDATE ON {name} BEGIN "
                + $"INSERT INTO {JournalTables.UndoLog} (run_id, table_name, op, old_rowid, new_rowid, image) VALUES ({run}, {literal}, 'U', OLD.rowid, NEW.rowid, {Image("OLD", t.Columns)}); END"));
            close.Add(new($"DROP TRIGGER d1_migration_log_i{id}"));
            close.Add(new($"DROP TRIGGER d1_migration_log_d{id}"));
            close.Add(new($"DROP TRIGGER d1_migration_log_u{id}"));
        }
        close.Add(new("PRAGMA recursive_triggers = OFF"));
        return (open, close);
    }

    /// <summary>The SQL expression of a row's text image (see the remarks).</summary>
    internal static string Image(string row, IReadOnlyList<string> columns) =>
        columns.Count == 0 ? "''" : string.Join(" || ',' || ", columns.Select(c =>
        {
            var v = row + "." + SqlQuote.Identifier(c);
            return $"CASE typeof({v}) WHEN 'integer' THEN 'i' || {v} WHEN 'real' THEN 'r' || printf('%!.17g', {v}) "
                + $"WHEN 'text' THEN 't' || hex({v}) WHEN 'blob' THEN 'b' || hex({v}) ELSE 'n' END";
        }));

    /// <summary>The values of a text image, each with its storage class (long, double, string, byte[] or null).</summary>
    internal static object?[] Decode(string image)
    {
        if (image.Length == 0) return [];
        var parts = image.Split(',');
        var values = new object?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            var body = p.AsSpan(1);
            values[i] = p.Length == 0 ? throw Damaged(image) : p[0] switch
            {
                'n' => null,
                'i' => long.Parse(body, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                'r' => body switch
                {
                    "Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    _ => double.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture),
                },
                't' => Encoding.UTF8.GetString(System.Convert.FromHexString(body)),
                'b' => System.Convert.FromHexString(body),
                _ => throw Damaged(image),
            };
        }
        return values;
    }

    static InvalidDataException Damaged(string image) =>
        new($"A remote undo log image is damaged (it starts '{(image.Length > 20 ? image[..20] + "..." : image)}').");

    /// <summary>The stored columns of a remote table in order (generated and hidden columns cannot be written back), or null when it cannot be logged (not a plain rowid table).</summary>
    public static LoggedTable? Describe(IJournalConnection journal, string table)
    {
        var kind = journal.Query("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = $t COLLATE NOCASE", ("$t", table));
        if (kind.Count == 0 || kind[0][0] as string != "table" || kind[0][1] is long wr && wr != 0) return null;
        var columns = journal.Query("SELECT name FROM pragma_table_xinfo($t) WHERE hidden = 0 ORDER BY cid", ("$t", table));
        return new LoggedTable(table, [.. columns.Select(r => (string)r[0]!)]);
    }

    /// <summary>Per table: rows the run inserted, and rows it deleted or updated (to restore).</summary>
    public static Dictionary<string, (long Insert, long Restore)> Counts(IJournalConnection journal, long runId)
    {
        var counts = new Dictionary<string, (long, long)>(StringComparer.OrdinalIgnoreCase);
        if (!JournalTables.Exist(journal)) return counts;
        foreach (var r in journal.Query($"SELECT table_name, sum(op = 'I'), sum(op <> 'I') FROM {JournalTables.UndoLog} WHERE run_id = $run GROUP BY table_name", ("$run", runId)))
            counts[(string)r[0]!] = ((long)r[1]!, (long)r[2]!);
        return counts;
    }

    /// <summary>How many log entries one undo request reverts: each is at most one statement of one row's values; a few hundred keep a request well inside D1's limits.</summary>
    internal const int EntriesPerRequest = 200;

    /// <summary>
    /// Reverts the run's log newest first, <see cref="EntriesPerRequest"/> entries per request;
    /// each request also deletes the entries it reverted, so an undo cut short by the network
    /// goes on from where it stopped when run again (every request is whole or nothing).
    /// <paramref name="last"/> adds the undo's final statements to the request that reverts the
    /// oldest entries (or to one of its own when there are none).
    /// </summary>
    public static void Revert(IJournalConnection journal, long runId, Action<Target.IBatchStatements> last)
    {
        // Rowids as text: an application's INTEGER PRIMARY KEY may be beyond 2^53, which JSON cannot carry as a number.
        var entries = journal.Query(
            $"SELECT seq, table_name, op, CAST(old_rowid AS TEXT), CAST(new_rowid AS TEXT), image FROM {JournalTables.UndoLog} WHERE run_id = $run ORDER BY seq DESC",
            ("$run", runId));
        var columns = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in entries.Select(e => (string)e[1]!).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var cols = Describe(journal, table)?.Columns
                ?? throw new InvalidOperationException($"Table {table} is gone or changed kind since run {runId}; its rows cannot be restored one by one.");
            // A restored row is one statement: its values and two rowids, all bound (D1 allows 100 per statement).
            if (cols.Count + 2 > D1Statement.MaxParameters)
                throw new InvalidOperationException($"Table {table} has {cols.Count} columns: a restored row would need more than D1's {D1Statement.MaxParameters} bound parameters; take the run back with Undo-Migration -TimeTravel.");
            columns[table] = cols;
        }
        for (var at = 0; at < entries.Count || at == 0; at += EntriesPerRequest)
        {
            var chunk = entries.Skip(at).Take(EntriesPerRequest).ToList();
            var final = at + EntriesPerRequest >= entries.Count;
            journal.Write(s =>
            {
                // The log holds every cascade the run caused; D1 keeps foreign keys on, so their checks wait for the request's end.
                s.Execute("PRAGMA defer_foreign_keys = on");
                foreach (var e in chunk)
                {
                    var table = (string)e[1]!;
                    Revert(s, table, columns[table], (string)e[2]!, RowidOf(e[3]), RowidOf(e[4]), e[5] as string, runId);
                }
                if (chunk.Count > 0)
                    s.Execute($"DELETE FROM {JournalTables.UndoLog} WHERE run_id = $run AND seq >= $from", ("$run", runId), ("$from", (long)chunk[^1][0]!));
                if (final) last(s);
            });
        }
    }

    static long? RowidOf(object? text) => text is string s ? long.Parse(s, CultureInfo.InvariantCulture) : null;

    static void Revert(Target.IBatchStatements s, string table, IReadOnlyList<string> cols, string op, long? oldRowid, long? newRowid, string? image, long runId)
    {
        var name = SqlQuote.Identifier(table);
        object?[] Values()
        {
            var values = Decode(image ?? throw new InvalidDataException($"The undo log of run {runId} lacks the before-image of a row of {table}."));
            if (values.Length != cols.Count)
                throw new InvalidOperationException($"Table {table} has {cols.Count} columns now, its before-image {values.Length}: the table was altered after the run, so the run cannot be undone row by row.");
            return values;
        }
        (string, object?)[] Parameters(object?[] values, params (string, object?)[] rowids) =>
            [.. rowids, .. values.Select((v, i) => ("$v" + i.ToString(CultureInfo.InvariantCulture), v))];
        switch (op)
        {
            case "I":
                s.Execute($"DELETE FROM {name} WHERE rowid = $new", ("$new", newRowid));
                break;
            case "D":
                s.Execute($"INSERT INTO {name} (rowid, {string.Join(", ", cols.Select(SqlQuote.Identifier))}) VALUES ($old, {string.Join(", ", cols.Select((_, i) => "$v" + i.ToString(CultureInfo.InvariantCulture)))})",
                    Parameters(Values(), ("$old", oldRowid)));
                break;
            case "U":
                s.Execute($"UPDATE {name} SET rowid = $old, {string.Join(", ", cols.Select((c, i) => SqlQuote.Identifier(c) + " = $v" + i.ToString(CultureInfo.InvariantCulture)))} WHERE rowid = $new",
                    Parameters(Values(), ("$old", oldRowid), ("$new", newRowid)));
                break;
            default:
                throw new InvalidDataException($"The undo log of run {runId} holds an unknown operation '{op}'.");
        }
    }
}
