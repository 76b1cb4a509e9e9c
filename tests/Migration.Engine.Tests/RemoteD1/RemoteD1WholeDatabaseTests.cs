using Migration.Engine.Cloudflare;
using Migration.Engine.Convert;
using Migration.Engine.Integrity;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.WholeDatabase;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>
/// The whole-database fixtures of the local tests (WholeDatabaseMigrationTests) through the
/// remote path: cycles and self-references filled in by journaled fix-ups, orphans under each
/// -OrphanPolicy found by batched parent lookups, every table equal value by value (storage
/// class and payload) to the local file's, and the integrity checks passing on the remote side.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1WholeDatabaseTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    // The Postgres cluster is shared by the test process (started once); this class lives in the API server's collection.
    readonly PgCluster _pg = new();
    readonly TempDirectory _dir = new();

    D1DatabaseClient Remote => Api.D1(Server.DatabaseUuids[CloudflareApiServer.Database]);

    List<object?[]> RemoteRows(string sql) => [.. Remote.RawAsync(new D1Statement(sql)).GetAwaiter().GetResult()[0].DecodeRows(false)];

    /// <summary>Every data table's content, value by value with its storage class, read locally and remotely by the same SQL.</summary>
    void AssertSameAsLocal(string local)
    {
        var tables = TargetTestSupport.Rows(local, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_migration_%' ORDER BY name").Select(r => (string)r[0]!).ToList();
        Assert.Equal(tables, RemoteRows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_migration_%' AND name NOT LIKE '_cf%' ORDER BY name").Select(r => (string)r[0]!));
        foreach (var table in tables)
        {
            var columns = TargetTestSupport.Rows(local, $"SELECT name FROM pragma_table_info('{table}')").Select(r => SqlQuote.Identifier((string)r[0]!)).ToList();
            var values = string.Join(" || '|' || ", columns.Select(c =>
                $"typeof({c}) || ':' || coalesce(CASE typeof({c}) WHEN 'blob' THEN hex({c}) WHEN 'real' THEN printf('%!.17g', {c}) WHEN 'text' THEN hex({c}) ELSE {c} END, '')"));
            var sql = $"SELECT count(*) || '#' || coalesce(group_concat(v, char(10)), '') FROM (SELECT {values} AS v FROM {SqlQuote.Identifier(table)} ORDER BY 1)";
            Assert.True(Equals(TargetTestSupport.Rows(local, sql).Single()[0], RemoteRows(sql).Single()[0]), $"table {table} differs between the local file and the remote D1");
        }
    }

    WholeDatabaseRun Remotely(string db, PgTableSelection selection, ConversionOptions options, ImportOptions import, bool resume = false) =>
        WholeDatabaseRun.Run(db, Database(), selection, options, new SessionOptions { Import = import, Resume = resume });

    [Fact]
    public void The_catalog_fixture_arrives_with_its_cycle_and_self_reference_filled_in_identical_to_the_local_file_and_integrity_passes()
    {
        var db = CatalogFixture.Create(_pg);
        var local = _dir.File("catalog.sqlite");
        var import = new ImportOptions { BatchSize = 2 };
        WholeDatabaseRun.Run(db, local, CatalogFixture.Selection, CatalogFixture.Options, import);
        var run = Remotely(db, CatalogFixture.Selection, CatalogFixture.Options, import);

        Assert.Empty(run.Errors);
        Assert.Empty(run.Orphans);
        Assert.Contains(run.Log, l => l.Contains("teams_captain_fk", StringComparison.Ordinal) && l.Contains("insert-then-update", StringComparison.Ordinal));
        Assert.Contains(run.Log, l => l.Contains("categories_parent_id_fkey", StringComparison.Ordinal) && l.Contains("insert-then-update", StringComparison.Ordinal));
        Assert.Contains(run.Log, l => l.Contains("Filled in 6 foreign key value(s)", StringComparison.Ordinal));
        Assert.Equal(Expect([1L, 5L], [2L, 1L], [3L, 6L], [5L, null], [6L, 5L]), RemoteRows("SELECT id, parent_id FROM categories ORDER BY id"));
        Assert.Equal(Expect([1L, 10L], [2L, 12L]), RemoteRows("SELECT id, captain_id FROM teams ORDER BY id"));
        AssertSameAsLocal(local);
        Assert.Empty(RemoteRows("PRAGMA foreign_key_check"));
        // The fix-ups were applied and taken out of the journal with their UPDATEs.
        Assert.Equal(0L, RemoteRows($"SELECT count(*) FROM {RemoteForeignKeys.Fixups}").Single()[0]);
        var runs = Database().GetRuns();
        Assert.Equal(RunStatus.Completed, Assert.Single(runs).State);

        var checker = new IntegrityChecker(new PgConnectionSettings(db), Remote, Database().Location, new IntegrityOptions { Conversion = CatalogFixture.Options });
        // Names as Export-PgTable takes them: schema.table, a name that is not a plain identifier quoted.
        var names = run.Order.Select(n => n.Split('.', 2) is [var schema, var table] && !System.Text.RegularExpressions.Regex.IsMatch(table, "^[a-z_][a-z0-9_]*$")
            ? $"{schema}.\"{table}\"" : n);
        var results = checker.Run(names).ToList();
        Assert.NotEmpty(results);
        // The data checks pass; and every check judges the remote D1 as it judges the local file
        // (the fixture's objects SQLite cannot express, a GIN or exclusion index, fail Schema in both).
        Assert.All(results.Where(r => r.Check is "RowCount" or "Checksum" or "ForeignKeys"), r => Assert.True(r.Passed, $"{r.Table} {r.Check}: {r.Details}"));
        var localResults = new IntegrityChecker(new PgConnectionSettings(db), local, new IntegrityOptions { Conversion = CatalogFixture.Options }).Run(names).ToList();
        Assert.Equal(localResults.Select(r => (r.Table, r.Check, r.Passed)), results.Select(r => (r.Table, r.Check, r.Passed)));
    }

    [Fact]
    public void Method_Import_where_a_cycle_or_self_reference_rules_it_out_is_refused_before_anything_is_created_and_Auto_takes_query_for_those_tables()
    {
        var db = CatalogFixture.Create(_pg);
        string[] DataTables() => [.. RemoteRows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_migration_%' AND name NOT LIKE '_cf%'")
            .Select(r => (string)r[0]!)];

        // Up front, as the cmdlet checks the first row's set before the run starts: reads only.
        using (var exporter = new PgExporter(new PgConnectionSettings(db)))
        {
            var converter = new RowConverter(CatalogFixture.Options);
            var set = exporter.DescribeAll(CatalogFixture.Selection, out _).Select(converter.TargetSchemaFor).First().Definition!.Set!.Tables;
            var upFront = Assert.ThrowsAny<ArgumentException>(() => Database().CheckImportMethod([.. set.Select(t => t.Name)], new ImportOptions { Method = D1WriteMethod.Import }, set));
            Assert.Matches(@"^Table (categories|teams): -Method Import cannot write it: its foreign key\(s\) (categories_parent_id_fkey|teams_captain_fk) refer to its own table or to a table loaded later \(a cycle\)", upFront.Message);
            Assert.EndsWith("Use -Method Auto (which sends this table through /query) or -Method Query; nothing was written and no run was started.", upFront.Message, StringComparison.Ordinal);
            lock (Requests) Assert.All(Requests, r => Assert.DoesNotContain("/query", r.Operation, StringComparison.Ordinal));
            Database().CheckImportMethod([.. set.Select(t => t.Name)], new ImportOptions { Method = D1WriteMethod.Auto }, set);
        }
        Assert.Empty(DataTables());

        // In the engine (a resumed run is not checked up front): refused before the set's tables are created.
        var refused = Assert.ThrowsAny<ArgumentException>(() => Remotely(db, CatalogFixture.Selection, CatalogFixture.Options, new ImportOptions { BatchSize = 2, Method = D1WriteMethod.Import }));
        Assert.Contains("-Method Import cannot write it", refused.Message, StringComparison.Ordinal);
        Assert.Empty(DataTables());
        lock (Requests) Assert.Equal(0, Requests.Count(r => r.Operation.EndsWith("/import", StringComparison.Ordinal)));

        // -Method Auto chooses per table and says why in -Verbose.
        var auto = Remotely(db, CatalogFixture.Selection, CatalogFixture.Options, new ImportOptions { BatchSize = 2, Method = D1WriteMethod.Auto });
        Assert.Empty(auto.Errors);
        Assert.Contains(auto.Log, l => l.StartsWith("categories: through /query (its foreign key(s) categories_parent_id_fkey refer to its own table", StringComparison.Ordinal));
        Assert.Contains(auto.Log, l => l.StartsWith("teams: through /query (its foreign key(s) teams_captain_fk refer", StringComparison.Ordinal));
        Assert.Contains(auto.Log, l => l.StartsWith("clients: through D1's import API", StringComparison.Ordinal));
        Assert.Equal(Expect([1L, 10L], [2L, 12L]), RemoteRows("SELECT id, captain_id FROM teams ORDER BY id"));
    }

    [Theory]
    [InlineData(OrphanPolicy.Fail)]
    [InlineData(OrphanPolicy.Skip)]
    [InlineData(OrphanPolicy.Null)]
    public void Orphans_follow_the_policy_as_locally_named_by_table_key_and_parent_and_quarantined(OrphanPolicy policy)
    {
        var db = _pg.CreateDatabase("orphans");
        _pg.Execute(db, OrphanFixture.Sql);
        var local = _dir.File($"orphans-{policy}.sqlite");
        var import = new ImportOptions { OrphanPolicy = policy };
        var localRun = WholeDatabaseRun.Run(db, local, PgTableSelection.All, ConversionOptions.Default, import);
        lock (Requests) Requests.Clear();
        var run = Remotely(db, PgTableSelection.All, ConversionOptions.Default, import);

        // The same orphans, errors and figures as the local load.
        Assert.Equal(["kids", "nodes", "strict_kids"], run.Orphans.Select(o => o.Table).Order().ToArray());
        Assert.Equal(localRun.Orphans.OrderBy(o => o.Table).ToList(), run.Orphans.OrderBy(o => o.Table).ToList());
        Assert.Contains(run.Orphans, o => o is { Table: "kids", Key: "id=2", ForeignKey: "kids_parent_fk", ParentTable: "parents", Value: "99" });
        Assert.Equal(localRun.Errors.Select(e => (e.Table, e.Key, e.Column, e.Reason, e.ValueExcerpt)).Order(), run.Errors.Select(e => (e.Table, e.Key, e.Column, e.Reason, e.ValueExcerpt)).Order());
        foreach (var s in localRun.Summaries)
        {
            var r = run.Summary(s.Table);
            Assert.True((s.RowsWritten, s.RowsSkipped, s.RowsFailed, s.RowsOrphaned) == (r.RowsWritten, r.RowsSkipped, r.RowsFailed, r.RowsOrphaned),
                $"{s.Table}: local {(s.RowsWritten, s.RowsSkipped, s.RowsFailed, s.RowsOrphaned)}, remote {(r.RowsWritten, r.RowsSkipped, r.RowsFailed, r.RowsOrphaned)}");
        }
        AssertSameAsLocal(local);
        Assert.Empty(RemoteRows("PRAGMA foreign_key_check"));

        // Every row error is in the run's quarantine, named by table and key.
        var journal = Database();
        var quarantined = journal.GetQuarantine(Assert.Single(journal.GetRuns()).RunId).ToList();
        foreach (var e in run.Errors) Assert.Contains(quarantined, q => q.Table == e.Table && q.Key == e.Key);
        // Parents are looked up a batch at a time: far fewer reads than rows.
        lock (Requests) Assert.True(Requests.Count(r => r.Operation.EndsWith("/raw", StringComparison.Ordinal)) < 40, string.Join("\n", Requests.Select(r => r.Operation)));

        // The journal counts what the tables hold (a row deleted as an orphan while its key was filled in is skipped, not written), as the summary does.
        var journaled = Assert.Single(Database().GetRuns());
        foreach (var t in journaled.TableProgress)
        {
            Assert.Equal(RemoteRows($"SELECT count(*) FROM {t.Table}").Single()[0], t.RowsWritten);
            Assert.Equal(((long)run.Summary(t.Table).RowsWritten, (long)run.Summary(t.Table).RowsSkipped), (t.RowsWritten, t.RowsSkipped));
        }
        Assert.Equal(journaled.TableProgress.Sum(t => t.RowsWritten), journaled.RowsWritten);
    }
    /// <summary>
    /// As locally: the orphan fixture into remote tables made beforehand and empty, under Skip (the
    /// self-referencing orphan of nodes written NULL first, deleted by the fix-up and counted
    /// skipped); undo without force empties every table again: the fix-up took the deleted row's
    /// hash out of the run's checksum of nodes in its DELETE's request, so undo's proof (the table's
    /// content read through /raw against that checksum) still holds.
    /// </summary>
    [Fact]
    public async Task Undo_after_Skip_deleted_an_orphan_in_the_fix_up_empties_the_tables_it_found_empty()
    {
        var db = _pg.CreateDatabase("orphans");
        _pg.Execute(db, OrphanFixture.Sql);
        var schema = """
            CREATE TABLE parents (id INTEGER PRIMARY KEY);
            CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id), name TEXT);
            CREATE TABLE strict_kids (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents (id));
            CREATE TABLE nodes (id INTEGER PRIMARY KEY, up INTEGER REFERENCES nodes (id));
            """;
        await Remote.QueryAsync(new D1Statement(schema), RetrySafety.Write);
        string[] tables = ["kids", "nodes", "parents", "strict_kids"];
        string Snapshot() => string.Join("\n", RemoteRows("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_migration_%' AND name NOT LIKE '_cf%' ORDER BY name")
            .Select(r => r[0] + ": " + r[1] + " rows " + RemoteRows($"SELECT count(*) FROM {SqlQuote.Identifier((string)r[0]!)}").Single()[0]));
        var before = Snapshot();
        Assert.Equal(4, tables.Count(t => before.Contains(t + ": CREATE TABLE", StringComparison.Ordinal)));

        Remotely(db, PgTableSelection.All, ConversionOptions.Default, new ImportOptions { OrphanPolicy = OrphanPolicy.Skip });
        var journal = Database();
        var run = Assert.Single(journal.GetRuns());
        Assert.Equal((2L, 1L), run.TableProgress.Single(t => t.Table == "nodes") is var n ? (n.RowsWritten, n.RowsSkipped) : default);
        Assert.Equal(Expect([1L, null], [2L, 1L]), RemoteRows("SELECT id, up FROM nodes ORDER BY id"));

        var plan = journal.Undo.Plan(run.RunId);
        Assert.Empty(plan.Blockers);
        Assert.Equal(tables, plan.Actions.Where(a => a.EmptiesTable).Select(a => a.Table).Order().ToArray());
        journal.Undo.Undo(run.RunId);
        Assert.Equal(before, Snapshot());
        Assert.Equal(Migration.Engine.Journal.RunStatus.Undone, Database().GetRuns()[^1].State);
    }
}
