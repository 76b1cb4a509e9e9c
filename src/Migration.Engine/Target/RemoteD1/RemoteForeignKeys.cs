using System.Globalization;
using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// The foreign keys of one table loaded into a remote D1 from a full definition, as
/// <see cref="ForeignKeyPlan"/> decides (the local file's decisions), with the parents looked up
/// through <c>/raw</c> a batch at a time, never a request per row: the distinct key values of the
/// batch, as many per statement as D1's 100 bound parameters allow, several statements per request.
/// </summary>
/// <remarks>
/// <para>Immediate keys the table declares are checked by D1 itself; they are looked up only
/// when D1 refused a batch with a FOREIGN KEY failure, to name each orphan and apply the policy
/// (<see cref="Resolve"/>). Keys it does not declare are looked up before each batch.</para>
/// <para>Deferred keys (a cycle, a self-reference) are inserted NULL; each row's real values go
/// into the journal table <see cref="Fixups"/> in the same request as the row (so they commit
/// together), and once every table is in, <see cref="RemoteD1Target"/> reads them back in keyset
/// pages, looks the parents up, and sends each page's UPDATEs (or, under Skip, DELETEs) with the
/// deletion of the page's fix-up rows in one request: a fix-up is applied exactly once, and a
/// run stopped anywhere in between resumes with the fix-ups still left. Without a run they are
/// kept in memory.</para>
/// </remarks>
internal sealed class RemoteForeignKeys(ForeignKeyPlan plan, TableSchema schema)
{
    /// <summary>The journal table of fix-ups still to apply (created when first needed; empty once a run completes).</summary>
    public const string Fixups = JournalTables.Prefix + "fixups";

    /// <summary>
    /// One row per (row, deferred key): everything needed to fill it in without the table's
    /// schema (a resumed run may get no row of the table at all), values as lossless images.
    /// </summary>
    public const string FixupsDdl = $"""
        CREATE TABLE IF NOT EXISTS {Fixups} (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL,
            table_name TEXT NOT NULL,
            row_key TEXT NOT NULL,
            key_columns TEXT NOT NULL,
            key_image BLOB NOT NULL,
            foreign_key TEXT NOT NULL,
            parent_table TEXT NOT NULL,
            parent_columns TEXT NOT NULL,
            columns TEXT NOT NULL,
            values_image BLOB NOT NULL)
        """;

    /// <summary>Lookup statements per <c>/raw</c> request (each at most 100 parameters).</summary>
    const int StatementsPerRequest = 20;

    /// <summary>Fix-up rows per VALUES statement (10 values each, within 100 parameters).</summary>
    const int FixupsPerStatement = 10;

    public ForeignKeyPlan Plan { get; } = plan;

    /// <summary>Without a run: the fix-ups of rows written so far.</summary>
    readonly List<Fixup> _memory = [];

    public bool HasDeferred => Plan.Deferred.Count > 0;

    /// <summary>Immediate keys D1 does not enforce for this table (looked up before each batch).</summary>
    public bool HasUnenforced => Plan.Immediate.Any(k => !k.EnforcedByTarget);

    public bool HasEnforced => Plan.Immediate.Any(k => k.EnforcedByTarget);

    /// <summary>
    /// The plan for a table (null when it has no foreign keys), the target's and the up-front
    /// -Method check's alike. A parent is loaded before when it is earlier in the set
    /// (<paramref name="loadPosition"/>), or (outside a set) <paramref name="present"/> in the
    /// database; a key of a table the run creates is declared (D1 enforces it), an existing
    /// table's are <paramref name="declaredKeys"/> (<see cref="DeclaredKeys"/>).
    /// </summary>
    public static RemoteForeignKeys? For(TableSchema schema, OrphanPolicy policy, IReadOnlyDictionary<string, int> loadPosition, Func<string, bool> present,
        bool exists, Func<HashSet<string>> declaredKeys, Action<string> log, Func<string, bool>? refused = null)
    {
        if (schema.Definition is not { ForeignKeys.Count: > 0 }) return null;
        var position = loadPosition.TryGetValue(schema.Name, out var p) ? p : int.MaxValue;
        HashSet<string>? declared = null;
        var plan = ForeignKeyPlan.For(schema, schema.Name, policy,
            parent => loadPosition.TryGetValue(parent, out var pp) ? pp < position : present(parent),
            parent => loadPosition.TryGetValue(parent, out var pp) && pp > position,
            log, refused,
            (parent, columns) => !exists || (declared ??= declaredKeys()).Contains(parent + "|" + string.Join(",", columns)));
        return plan is null ? null : new RemoteForeignKeys(plan, schema);
    }

    /// <summary>The foreign keys an existing table declares, as "parent|col1,col2" (case-insensitive), read with <paramref name="raw"/>.</summary>
    public static HashSet<string> DeclaredKeys(string table, Func<D1Statement, IReadOnlyList<object?[]>> raw)
    {
        var keys = new SortedDictionary<long, (string Parent, List<string> Columns)>();
        foreach (var r in raw(D1Statement.Of("SELECT id, \"table\", \"from\" FROM pragma_foreign_key_list({0}) ORDER BY id, seq", table)))
        {
            var id = System.Convert.ToInt64(r[0], CultureInfo.InvariantCulture);
            if (!keys.TryGetValue(id, out var k)) keys[id] = k = ((string)r[1]!, []);
            k.Columns.Add((string)r[2]!);
        }
        return new(keys.Values.Select(k => k.Parent + "|" + string.Join(",", k.Columns)), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Why the import path cannot write this table, or null when it can: an import file carries
    /// whole rows as they are, while deferred keys are inserted NULL and journaled row by row, and
    /// keys D1 does not enforce for the table are looked up before each batch (both /query only).
    /// </summary>
    public string? ImportCannotApply() =>
        HasDeferred
            ? $"its foreign key(s) {string.Join(", ", Plan.Deferred.Select(k => k.Definition.Name))} refer to its own table or to a table loaded later (a cycle), "
              + "so they are inserted NULL and filled in after the load (insert-then-update), journaled row by row"
            : HasUnenforced
                ? $"its foreign key(s) {string.Join(", ", Plan.Immediate.Where(k => !k.EnforcedByTarget).Select(k => k.Definition.Name))} are not enforced by the table in D1 "
                  + "(not declared there, or the parent table is refused), so its parents are looked up before each batch"
                : null;

    /// <summary>-Method Import asked for a table it cannot write (<see cref="ImportCannotApply"/>): the parameter mistake, naming the table, the reason and the way out.</summary>
    public static ArgumentException ImportRefused(string table, string reason, bool runStarted) =>
        new($"Table {table}: -Method Import cannot write it: {reason}; that works only through /query. Use -Method Auto (which sends this table through /query) "
            + $"or -Method Query; nothing was written{(runStarted ? "" : " and no run was started")}.");

    /// <summary>
    /// The parent rows of <paramref name="key"/> that exist, among the key values of
    /// <paramref name="rows"/>: their key text (as <see cref="KeyText"/>), from reads only.
    /// </summary>
    public static HashSet<string> ExistingParents(PlannedForeignKey key, IEnumerable<object?[]> rows, Func<IReadOnlyList<D1Statement>, IReadOnlyList<D1RawResult>> raw) =>
        ExistingParents(key.Definition.ParentTable, key.Definition.ParentColumns,
            rows.Where(key.HasValue).Select(values => (object?[])[.. key.Ordinals.Select(o => values[o])]), raw);

    /// <summary>Of the key tuples (values for <paramref name="columns"/>), those <paramref name="parentTable"/> holds, as <see cref="KeyText"/>.</summary>
    static HashSet<string> ExistingParents(string parentTable, IReadOnlyList<string> columns, IEnumerable<object?[]> keys, Func<IReadOnlyList<D1Statement>, IReadOnlyList<D1RawResult>> raw)
    {
        var distinct = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var tuple in keys) distinct.TryAdd(KeyText(tuple), tuple);
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (distinct.Count == 0) return found;
        var tuples = distinct.Values.ToList();
        var perStatement = Math.Max(1, D1Statement.MaxParameters / columns.Count);
        var statements = new List<D1Statement>();
        var probes = new List<List<object?[]>>();
        for (var at = 0; at < tuples.Count; at += perStatement)
        {
            var page = tuples.GetRange(at, Math.Min(perStatement, tuples.Count - at));
            // The probe's own index comes back (not the parent's value), so no type or affinity of
            // the answer needs matching: the parent column's affinity applies to the comparison, as in D1's own check.
            var sql = new StringBuilder("SELECT v.column1 FROM (VALUES ");
            var values = new List<object?>();
            for (var i = 0; i < page.Count; i++)
            {
                sql.Append(i > 0 ? ", (" : "(").Append(i.ToString(CultureInfo.InvariantCulture));
                foreach (var v in page[i])
                {
                    sql.Append(", {").Append(values.Count.ToString(CultureInfo.InvariantCulture)).Append('}');
                    values.Add(v);
                }
                sql.Append(')');
            }
            sql.Append(") AS v WHERE EXISTS (SELECT 1 FROM ").Append(SqlQuote.Identifier(parentTable)).Append(" AS p WHERE ")
                .Append(string.Join(" AND ", columns.Select((c, i) => "p." + SqlQuote.Identifier(c) + " = v.column" + (i + 2).ToString(CultureInfo.InvariantCulture))))
                .Append(')');
            statements.Add(D1Statement.Of(sql.ToString(), [.. values]));
            probes.Add(page);
        }
        for (var at = 0; at < statements.Count; at += StatementsPerRequest)
        {
            var results = raw(statements.GetRange(at, Math.Min(StatementsPerRequest, statements.Count - at)));
            for (var r = 0; r < results.Count; r++)
                foreach (var hit in results[r].DecodeRows(false))
                    found.Add(KeyText(probes[at + r][(int)System.Convert.ToInt64(hit[0], CultureInfo.InvariantCulture)]));
        }
        return found;
    }

    /// <summary>A key's values as one comparable text (storage class and exact payload).</summary>
    public static string KeyText(IEnumerable<object?> key) => string.Join("\u0001", key.Select(v => v switch
    {
        null => "n",
        long l => "i" + l.ToString(CultureInfo.InvariantCulture),
        double d => "r" + d.ToString("R", CultureInfo.InvariantCulture),
        string s => "t" + s,
        byte[] b => "b" + System.Convert.ToBase64String(b),
        _ => "?" + System.Convert.ToString(v, CultureInfo.InvariantCulture),
    }));

    /// <summary>The outcome of checking a batch's rows against their parents.</summary>
    public sealed record Outcome(Row Row, object?[]? Send, OrphanRow? Orphan, RowError? Error);

    /// <summary>
    /// Checks the immediate keys (those D1 enforces, or the others) of every row with one set of
    /// lookups for the batch; returns the rows with an orphan (what to send instead, or null when
    /// the row is not to be written, with the orphan and error); rows without one are not listed.
    /// </summary>
    public List<Outcome> Check(IReadOnlyList<Row> rows, bool enforcedByTarget, Func<IReadOnlyList<D1Statement>, IReadOnlyList<D1RawResult>> raw)
    {
        var keys = Plan.Immediate.Where(k => k.EnforcedByTarget == enforcedByTarget).ToList();
        var outcomes = new List<Outcome>();
        if (keys.Count == 0) return outcomes;
        var existing = new Dictionary<PlannedForeignKey, HashSet<string>>(ReferenceEqualityComparer.Instance);
        foreach (var k in keys) existing[k] = k.ParentRefused ? [] : ExistingParents(k, rows.Select(r => r.GetValues()), raw);
        foreach (var row in rows)
        {
            var values = row.GetValues();
            object?[]? copy = null;
            var keep = Plan.Check(row, values, enforcedByTarget, k => existing[k].Contains(KeyText(k.Ordinals.Select(o => values[o]))), ref copy, out var orphan, out var error);
            if (orphan is not null) outcomes.Add(new Outcome(row, keep ? copy : null, orphan, error));
        }
        return outcomes;
    }

    /// <summary>The values to insert: the deferred keys NULL (filled in by <see cref="Fixups"/> later).</summary>
    public object?[] Initial(object?[] values) => Plan.WithDeferredNull(values);


    /// <summary>One deferred key of one row to fill in: its journal id (0 in memory), where, and the values.</summary>
    public sealed record Fixup(long Id, string Table, string RowKey, string[] KeyColumns, object?[] Key, string ForeignKey, string ParentTable,
        string[] ParentColumns, string[] Columns, object?[] Values)
    {
        /// <summary>The row's key as a condition over <see cref="D1Statement.Of"/>'s placeholders: <c>{0}</c>, <c>{1}</c>... are <see cref="Key"/>'s values.</summary>
        public string KeyWhere => string.Join(" AND ", KeyColumns.Select((c, i) => SqlQuote.Identifier(c) + " = {" + i.ToString(CultureInfo.InvariantCulture) + "}"));
    }

    IEnumerable<Fixup> FixupsOf(string table, Row row)
    {
        var values = row.GetValues();
        foreach (var key in Plan.Deferred)
        {
            if (!key.HasValue(values)) continue;
            yield return new Fixup(0, table, row.DescribeKey(), [.. schema.PrimaryKey.Select(o => schema.Columns[o].Name)], [.. schema.PrimaryKey.Select(o => values[o])],
                key.Definition.Name, key.Definition.ParentTable, [.. key.Definition.ParentColumns], [.. key.Definition.Columns], [.. key.Ordinals.Select(o => values[o])]);
        }
    }

    /// <summary>
    /// The fix-ups of the rows written in a batch, into the journal through the batch's own
    /// statements (so they commit with the rows, or not at all).
    /// </summary>
    public void Journal(IBatchStatements statements, long runId, string table, IReadOnlyList<Row> written)
    {
        var due = written.SelectMany(r => FixupsOf(table, r)).ToList();
        for (var at = 0; at < due.Count; at += FixupsPerStatement)
        {
            var page = due.GetRange(at, Math.Min(FixupsPerStatement, due.Count - at));
            var sql = new StringBuilder($"INSERT INTO {Fixups} (run_id, table_name, row_key, key_columns, key_image, foreign_key, parent_table, parent_columns, columns, values_image) VALUES ");
            var parameters = new List<(string, object?)> { ("$run", runId), ("$table", table) };
            for (var i = 0; i < page.Count; i++)
            {
                var n = i.ToString(CultureInfo.InvariantCulture);
                var f = page[i];
                sql.Append(i > 0 ? ", " : "").Append(CultureInfo.InvariantCulture, $"($run, $table, $r{n}, $kc{n}, $k{n}, $fk{n}, $p{n}, $pc{n}, $c{n}, $v{n})");
                parameters.AddRange([("$r" + n, f.RowKey), ("$kc" + n, Names(f.KeyColumns)), ("$k" + n, RowImage.Encode(f.Key)), ("$fk" + n, f.ForeignKey),
                    ("$p" + n, f.ParentTable), ("$pc" + n, Names(f.ParentColumns)), ("$c" + n, Names(f.Columns)), ("$v" + n, RowImage.Encode(f.Values))]);
            }
            statements.Execute(sql.ToString(), [.. parameters]);
        }
    }

    /// <summary>Without a run: keeps the committed rows' fix-ups in memory.</summary>
    public void Remember(string table, IReadOnlyList<Row> written) => _memory.AddRange(written.SelectMany(r => FixupsOf(table, r)));

    /// <summary>The in-memory fix-ups (without a run), each taken once.</summary>
    public List<Fixup> TakeFromMemory()
    {
        var all = _memory.ToList();
        _memory.Clear();
        return all;
    }

    static string Names(IEnumerable<string> names) => System.Text.Json.JsonSerializer.Serialize(names);

    static string[] NamesOf(object? json) => System.Text.Json.JsonSerializer.Deserialize<string[]>((string)json!) ?? [];

    /// <summary>The columns to read a journal row of <see cref="Fixups"/> with (<see cref="FromJournal"/>).</summary>
    public const string JournalColumns = "id, table_name, row_key, key_columns, key_image, foreign_key, parent_table, parent_columns, columns, values_image";

    /// <summary>A journal row of <see cref="Fixups"/> read with <see cref="JournalColumns"/>.</summary>
    public static Fixup FromJournal(object?[] row) =>
        new(System.Convert.ToInt64(row[0], CultureInfo.InvariantCulture), (string)row[1]!, (string)row[2]!, NamesOf(row[3]), RowImage.Decode((byte[])row[4]!),
            (string)row[5]!, (string)row[6]!, NamesOf(row[7]), NamesOf(row[8]), RowImage.Decode((byte[])row[9]!));

    /// <summary>
    /// The statements that fill in a page of fix-ups, after the parents were looked up (a few
    /// reads for the page): an UPDATE per fix-up whose parent exists (only while the columns are
    /// still NULL, so a row kept by -OnConflict Ignore is not overwritten), a DELETE of the row
    /// for an orphan under Skip, after (in a run) the journal's count of it as skipped, not
    /// written, and its hash out of the run's checksum of the table (<see cref="RemoteDeletedRowChecksum"/>),
    /// while it is there (so they must go in one request); and the orphans found,
    /// with their errors (Fail). Each unit is one statement or such a pair.
    /// </summary>
    public static (List<D1Statement[]> Units, List<(Fixup Fixup, OrphanRow Orphan, RowError? Error)> Orphans) Apply(OrphanPolicy policy, IReadOnlyList<Fixup> page,
        Func<IReadOnlyList<D1Statement>, IReadOnlyList<D1RawResult>> raw, long? runId = null)
    {
        var found = new Dictionary<(string, string), HashSet<string>>();
        foreach (var group in page.GroupBy(f => (f.ParentTable, Names(f.ParentColumns))))
            found[group.Key] = ExistingParents(group.Key.ParentTable, group.First().ParentColumns, group.Select(f => f.Values), raw);
        bool ParentFound(Fixup f) => found[(f.ParentTable, Names(f.ParentColumns))].Contains(KeyText(f.Values));
        // The fix-up's row is there: the condition of the journal's statements that go with its DELETE.
        static (string Sql, (string, object?)[] Parameters) Present(Fixup f) =>
            ($"EXISTS (SELECT 1 FROM {SqlQuote.Identifier(f.Table)} WHERE {string.Join(" AND ", f.KeyColumns.Select((c, i) => SqlQuote.Identifier(c) + " = $k" + i.ToString(CultureInfo.InvariantCulture)))})",
                [.. f.Key.Select((v, i) => ("$k" + i.ToString(CultureInfo.InvariantCulture), v))]);
        var checksums = policy == OrphanPolicy.Skip && runId is { } journaled
            ? RemoteDeletedRowChecksum.Statements(journaled, page, [.. page.Where(f => !ParentFound(f))], Present, raw)
            : [];
        var statements = new List<D1Statement[]>();
        var orphans = new List<(Fixup, OrphanRow, RowError?)>();
        foreach (var f in page)
        {
            var where = f.KeyWhere;
            if (ParentFound(f))
            {
                var n = f.Key.Length;
                var assignments = string.Join(", ", f.Columns.Select((c, i) => SqlQuote.Identifier(c) + " = {" + (n + i).ToString(CultureInfo.InvariantCulture) + "}"));
                var stillNull = string.Join(" AND ", f.Columns.Select(c => SqlQuote.Identifier(c) + " IS NULL"));
                statements.Add([D1Statement.Of($"UPDATE {SqlQuote.Identifier(f.Table)} SET {assignments} WHERE {where} AND {stillNull}", [.. f.Key, .. f.Values])]);
                continue;
            }
            var value = string.Join(", ", f.Values.Select(v => ValueExcerpt.Of(v)));
            var (orphan, error) = ForeignKeyPlan.DeferredOrphan(policy, f.Table, f.RowKey, f.ForeignKey, f.ParentTable, f.Columns, f.ParentColumns, value);
            orphans.Add((f, orphan, error));
            if (policy != OrphanPolicy.Skip) continue;
            var delete = D1Statement.Of("DELETE FROM " + SqlQuote.Identifier(f.Table) + " WHERE " + where, f.Key);
            if (runId is not { } run)
            {
                statements.Add([delete]);
                continue;
            }
            var counted = new D1BatchStatements();
            var (present, parameters) = Present(f);
            JournalStore.RowsDeletedAfterWrite(counted, run, f.Table, 1, present, parameters);
            // The run's checksum of the table loses the row too (while it is there), so undo can still prove the table the run's.
            statements.Add([.. counted.Statements, .. checksums.GetValueOrDefault(f, []), delete]);
        }
        return (statements, orphans);
    }
}
