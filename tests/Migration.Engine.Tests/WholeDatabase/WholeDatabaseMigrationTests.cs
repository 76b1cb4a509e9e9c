using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// A whole database (the catalog fixture) migrated into a real SQLite file: tables created from
/// the source's definition, loaded parents first with the cycles filled in, indexes and ANALYZE
/// at the end, and the result consistent by SQLite's own checks.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class WholeDatabaseMigrationTests(PgCluster pg) : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Every_table_arrives_with_its_constraints_and_the_database_checks_clean()
    {
        var db = CatalogFixture.Create(pg);
        var path = _dir.File("app.sqlite");
        var run = WholeDatabaseRun.Run(db, path, CatalogFixture.Selection, CatalogFixture.Options, new ImportOptions { BatchSize = 2 });

        Assert.Empty(run.Errors);
        Assert.Empty(run.Orphans);
        Assert.DoesNotContain("public.django_session", run.Order);
        // Parents first: each table after every table it references (the cycle is broken at teams).
        Assert.True(run.Order.IndexOf("public.customers") < run.Order.IndexOf("public.orders"));
        Assert.True(run.Order.IndexOf("public.orders") < run.Order.IndexOf("public.order_lines"));
        Assert.True(run.Order.IndexOf("public.items") < run.Order.IndexOf("sales.items"));
        Assert.True(run.Order.IndexOf("public.teams") < run.Order.IndexOf("public.players"));

        foreach (var (table, rows) in new[] { ("clients", 3L), ("orders", 3L), ("order_lines", 3L), ("categories", 5L), ("teams", 2L),
                     ("players", 3L), ("order_items", 2L), ("items", 2L), ("sales_items", 2L), ("audit_log", 2L), ("bookings", 1L) })
            Assert.Equal(rows, run.Summary(table).RowsWritten);

        Assert.Empty(Rows(path, "PRAGMA foreign_key_check"));
        Assert.Equal("ok", Rows(path, "PRAGMA integrity_check").Single()[0]);

        // The self-reference and the cycle were filled in after the load (insert-then-update).
        Assert.Equal(Expect([1L, 5L], [2L, 1L], [3L, 6L], [5L, null], [6L, 5L]), Rows(path, "SELECT id, parent_id FROM categories ORDER BY id"));
        Assert.Equal(Expect([1L, 10L], [2L, 12L]), Rows(path, "SELECT id, captain_id FROM teams ORDER BY id"));
        Assert.Contains(run.Log, l => l.Contains("teams_captain_fk", StringComparison.Ordinal) && l.Contains("insert-then-update", StringComparison.Ordinal));
        Assert.Contains(run.Log, l => l.Contains("categories_parent_id_fkey", StringComparison.Ordinal) && l.Contains("insert-then-update", StringComparison.Ordinal));

        // Constraints as in the source, under the D1 names.
        var fks = Rows(path, "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('orders')");
        Assert.Equal(Expect(["clients", "customer_id", "id", "RESTRICT", "CASCADE"]), fks);
        Assert.Equal(Expect(["customers_active_recent", 0L, "c", 1L], ["customers_lower_email", 1L, "c", 0L], ["sqlite_autoindex_clients_1", 1L, "u", 0L]),
            Rows(path, "SELECT name, \"unique\", origin, partial FROM pragma_index_list('clients') ORDER BY name"));
        Assert.Equal(Expect(["created_at", 1L], ["id", 0L]), Rows(path, "SELECT name, \"desc\" FROM pragma_index_xinfo('customers_active_recent') WHERE key = 1 ORDER BY seqno"));
        Assert.Equal(Expect(["items_label_idx"], ["sales.items_label_idx"]), Rows(path, "SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE '%items_label_idx' ORDER BY name"));
        Assert.NotEmpty(Rows(path, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'"));

        // Constraints hold: SQLite refuses what Postgres would.
        AssertRefused(path, "INSERT INTO clients (mail, name, mood, score, active, balance, tags) VALUES ('d@x', 'D', 'angry', 1, 1, 0, '[]')", "CHECK");
        AssertRefused(path, "INSERT INTO clients (mail, name, mood, score, active, balance, tags) VALUES ('e@x', 'E', 'sad', 0, 1, 0, '[]')", "CHECK");
        AssertRefused(path, "INSERT INTO clients (mail, name, mood, score, active, balance, tags) VALUES ('ANN@example.com', 'A', 'sad', 1, 1, 0, '[]')", "UNIQUE");
        AssertRefused(path, "INSERT INTO order_lines (customer_id, order_no, qty) VALUES (1, 1, 1000)", "CHECK");
        AssertRefused(path, "INSERT INTO players VALUES (99, 42, 'nobody')", "FOREIGN KEY");

        // Defaults as the converter writes values: a new row looks like a migrated one.
        Exec(path, "PRAGMA foreign_keys = ON; INSERT INTO clients (mail, score) VALUES ('new@x', 3)");
        var fresh = Rows(path, "SELECT name, mood, active, balance, tags, created_at FROM clients WHERE mail = 'new@x'").Single();
        Assert.Equal(["anon", "happy", 1L, 0.0, "[]"], fresh[..5]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", (string)fresh[5]!);
        // ON DELETE CASCADE, as in the source.
        Exec(path, "PRAGMA foreign_keys = ON; DELETE FROM order_lines WHERE customer_id = 2; DELETE FROM clients WHERE id = 2");
        Assert.Equal(Expect([0L]), Rows(path, "SELECT count(*) FROM orders WHERE customer_id = 2"));
    }

    [Fact]
    public void A_run_stopped_before_its_deferred_keys_are_filled_in_fills_them_in_when_resumed()
    {
        var db = CatalogFixture.Create(pg);
        var import = new ImportOptions { BatchSize = 2 };
        var clean = _dir.File("clean.sqlite");
        var expected = WholeDatabaseRun.Run(db, clean, CatalogFixture.Selection, CatalogFixture.Options, import);
        var last = expected.Summaries.Last(s => s.RowsWritten > 0).Table;

        // The first attempt dies at the last table's first batch: every earlier batch is
        // committed, the cycle's and the self-reference's keys still NULL, nothing filled in yet.
        var path = _dir.File("app.sqlite");
        var dies = new Migration.Engine.Session.SessionOptions { Import = import, ObserveJournal = j => new DiesAt(j, last) };
        Assert.ThrowsAny<Exception>(() => WholeDatabaseRun.Run(db, new LocalD1Database(path), CatalogFixture.Selection, CatalogFixture.Options, dies));
        Assert.Contains(Rows(path, "SELECT captain_id FROM teams"), r => r[0] is null);
        Assert.NotEmpty(Rows(path, $"SELECT 1 FROM {ForeignKeyGuard.PendingKeys}"));

        var resumed = WholeDatabaseRun.Run(db, new LocalD1Database(path), CatalogFixture.Selection, CatalogFixture.Options,
            new Migration.Engine.Session.SessionOptions { Import = import, Resume = true });

        Assert.Empty(resumed.Errors);
        foreach (var sql in new[] { "SELECT id, parent_id FROM categories ORDER BY id", "SELECT id, captain_id FROM teams ORDER BY id", "SELECT * FROM players ORDER BY 1" })
            Assert.Equal(Rows(clean, sql), Rows(path, sql));
        Assert.Equal(Expect([1L, 10L], [2L, 12L]), Rows(path, "SELECT id, captain_id FROM teams ORDER BY id"));
        Assert.Empty(Rows(path, "PRAGMA foreign_key_check"));
        Assert.Empty(Rows(path, $"SELECT 1 FROM {ForeignKeyGuard.PendingKeys}"));
    }

    /// <summary>A journal that fails the batch of <paramref name="table"/> inside its transaction (so it rolls back), as a crash there would.</summary>
    sealed class DiesAt(IBatchJournal inner, string table) : IBatchJournal
    {
        public void RowRefused(Row row, RowError error) => inner.RowRefused(row, error);
        public void PrepareBatch(IReadOnlyList<Row> rows) => inner.PrepareBatch(rows);
        public UInt128 Hash(Row row) => inner.Hash(row);
        public void RecordBatch(IBatchStatements statements, BatchResult batch, IReadOnlyList<Row> rows) { Check(batch); inner.RecordBatch(statements, batch, rows); }
        public void RecordBatch(IBatchStatements statements, BatchResult batch, BatchDigest digest) { Check(batch); inner.RecordBatch(statements, batch, digest); }
        void Check(BatchResult batch)
        {
            if (batch.Table == table) throw new IOException($"the process died at {table}'s first batch");
        }
    }

    static void AssertRefused(string path, string sql, string constraint)
    {
        var ex = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => Exec(path, "PRAGMA foreign_keys = ON; " + sql));
        Assert.Contains(constraint, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OrphanPolicy.Fail)]
    [InlineData(OrphanPolicy.Skip)]
    [InlineData(OrphanPolicy.Null)]
    public void Orphans_follow_the_policy_and_each_is_reported(OrphanPolicy policy)
    {
        var db = pg.CreateDatabase("orphans");
        pg.Execute(db, OrphanFixture.Sql);
        var path = _dir.File($"orphans-{policy}.sqlite");
        var run = WholeDatabaseRun.Run(db, path, PgTableSelection.All, ConversionOptions.Default, new ImportOptions { OrphanPolicy = policy });

        // One orphan per table: kids (immediate check), strict_kids (NOT NULL), nodes (self-reference, filled in afterwards).
        Assert.Equal(["kids", "nodes", "strict_kids"], run.Orphans.Select(o => o.Table).Order().ToArray());
        Assert.All(run.Summaries.Where(s => s.Table != "parents"), s => Assert.Equal(1, s.RowsOrphaned));
        Assert.Contains(run.Orphans, o => o is { Table: "kids", Key: "id=2", ForeignKey: "kids_parent_fk", ParentTable: "parents", Value: "99" });
        Assert.Empty(Rows(path, "PRAGMA foreign_key_check"));
        Assert.Equal("ok", Rows(path, "PRAGMA integrity_check").Single()[0]);

        var kids = Rows(path, "SELECT id, parent_id FROM kids ORDER BY id");
        var strict = Rows(path, "SELECT id, parent_id FROM strict_kids ORDER BY id");
        var nodes = Rows(path, "SELECT id, up FROM nodes ORDER BY id");
        switch (policy)
        {
            case OrphanPolicy.Fail:
                Assert.Equal(Expect([1L, 1L], [3L, null]), kids);
                Assert.Equal(Expect([1L, 2L]), strict);
                // Loaded NULL first, the missing parent is found afterwards: reported, and the row keeps NULL.
                Assert.Equal(Expect([1L, null], [2L, 1L], [3L, null]), nodes);
                Assert.Equal(3, run.Errors.Count);
                Assert.Contains(run.Errors, e => e.Table == "kids" && e.Reason.Contains("kids_parent_fk", StringComparison.Ordinal) && e.ValueExcerpt == "99");
                Assert.All(run.Orphans, o => Assert.Equal("Refused", o.Action));
                break;
            case OrphanPolicy.Skip:
                Assert.Equal(Expect([1L, 1L], [3L, null]), kids);
                Assert.Equal(Expect([1L, 2L]), strict);
                Assert.Equal(Expect([1L, null], [2L, 1L]), nodes);
                Assert.Empty(run.Errors);
                Assert.Equal(1, run.Summary("kids").RowsSkipped);
                Assert.Equal(1, run.Summary("nodes").RowsSkipped);
                Assert.All(run.Orphans, o => Assert.Equal("Skipped", o.Action));
                break;
            case OrphanPolicy.Null:
                Assert.Equal(Expect([1L, 1L], [2L, null], [3L, null]), kids);
                // NULL is not possible in a NOT NULL column: that row fails instead.
                Assert.Equal(Expect([1L, 2L]), strict);
                Assert.Equal(Expect([1L, null], [2L, 1L], [3L, null]), nodes);
                Assert.Single(run.Errors, e => e.Table == "strict_kids" && e.Reason.Contains("NOT NULL", StringComparison.Ordinal));
                break;
        }
    }

    [Theory]
    [InlineData(OrphanPolicy.Skip)]
    [InlineData(OrphanPolicy.Fail)]
    public void The_journal_counts_what_the_tables_hold_after_the_deferred_keys_are_filled_in(OrphanPolicy policy)
    {
        var db = pg.CreateDatabase("orphans");
        pg.Execute(db, OrphanFixture.Sql);
        var path = _dir.File($"journaled-{policy}.sqlite");
        var run = WholeDatabaseRun.Run(db, new LocalD1Database(path), PgTableSelection.All, ConversionOptions.Default,
            new Migration.Engine.Session.SessionOptions { Import = new ImportOptions { OrphanPolicy = policy } });

        var journaled = Assert.Single(Migration.Engine.Journal.MigrationJournal.GetRuns(path));
        Assert.Equal(4, journaled.TableProgress.Count);
        foreach (var t in journaled.TableProgress)
        {
            Assert.Equal(Rows(path, $"SELECT count(*) FROM {t.Table}").Single()[0], t.RowsWritten);
            Assert.Equal(((long)run.Summary(t.Table).RowsWritten, (long)run.Summary(t.Table).RowsSkipped), (t.RowsWritten, t.RowsSkipped));
        }
        // nodes' orphan was written NULL first and deleted when its key was filled in (Skip): skipped, not written.
        Assert.Equal(policy == OrphanPolicy.Skip ? (2L, 1L) : (3L, 0L), journaled.TableProgress.Single(t => t.Table == "nodes") is var n ? (n.RowsWritten, n.RowsSkipped) : default);
        Assert.Equal(journaled.TableProgress.Sum(t => t.RowsWritten), journaled.RowsWritten);
        // Test-MigrationIntegrity counts the tables: the same figures.
        var counts = new Migration.Engine.Integrity.IntegrityChecker(new PgConnectionSettings(db), path, new Migration.Engine.Integrity.IntegrityOptions { Checks = Migration.Engine.Integrity.IntegrityCheck.RowCount })
            .Run(run.Order).ToList();
        Assert.Equal(journaled.TableProgress.Select(t => t.RowsWritten.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), counts.Select(r => r.Actual).Order());
    }

    /// <summary>
    /// The orphan fixture into tables made beforehand and empty (so undo empties them after
    /// proving their content is the run's by its checksums): the self-referencing orphan of nodes
    /// is written NULL first and deleted by the fix-up under Skip, and undo must still empty the
    /// tables without -Force, while a row changed after the run still blocks it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Undo_after_Skip_deleted_an_orphan_in_the_fix_up_empties_the_tables_unless_changed_since(bool changedAfter)
    {
        var db = pg.CreateDatabase("orphans");
        pg.Execute(db, OrphanFixture.Sql);
        var path = _dir.File($"undo-skip-{changedAfter}.sqlite");
        Exec(path, """
            CREATE TABLE parents (id INTEGER PRIMARY KEY);
            CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id), name TEXT);
            CREATE TABLE strict_kids (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents (id));
            CREATE TABLE nodes (id INTEGER PRIMARY KEY, up INTEGER REFERENCES nodes (id));
            """);
        var before = Migration.Engine.Tests.Journal.DatabaseFingerprint.Of(path);
        WholeDatabaseRun.Run(db, new LocalD1Database(path), PgTableSelection.All, ConversionOptions.Default,
            new Migration.Engine.Session.SessionOptions { Import = new ImportOptions { OrphanPolicy = OrphanPolicy.Skip } });
        var run = Assert.Single(Migration.Engine.Journal.MigrationJournal.GetRuns(path));
        Assert.Equal((2L, 1L), run.TableProgress.Single(t => t.Table == "nodes") is var n ? (n.RowsWritten, n.RowsSkipped) : default);
        Assert.Equal(Expect([1L, null], [2L, 1L]), Rows(path, "SELECT id, up FROM nodes ORDER BY id"));
        if (changedAfter) Exec(path, "UPDATE nodes SET up = NULL WHERE id = 2");

        var plan = Migration.Engine.Journal.MigrationUndo.Plan(path, run.RunId);
        Assert.Equal(["kids", "nodes", "parents", "strict_kids"], plan.Actions.Where(a => a.EmptiesTable).Select(a => a.Table).Order().ToArray());
        if (changedAfter)
        {
            var blocker = Assert.Single(plan.Blockers);
            Assert.Contains("nodes was empty before run 1 and now holds 2 rows whose content differs", blocker, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => Migration.Engine.Journal.MigrationUndo.Undo(path, run.RunId));
            Assert.Equal(2L, Rows(path, "SELECT count(*) FROM nodes")[0][0]);
            return;
        }
        Assert.Empty(plan.Blockers);
        Migration.Engine.Journal.MigrationUndo.Undo(path, run.RunId);
        Assert.Equal(before, Migration.Engine.Tests.Journal.DatabaseFingerprint.Of(path));
    }

    [Fact]
    public void A_table_D1_cannot_take_fails_before_anything_is_written()
    {
        var db = pg.CreateDatabase("limits");
        // "a_first" loads first; the table D1 refuses comes later, and still nothing is written.
        pg.Execute(db, "CREATE TABLE a_first (id int PRIMARY KEY); INSERT INTO a_first VALUES (1); "
            + "CREATE TABLE wide (" + string.Join(", ", Enumerable.Range(1, 101).Select(i => $"c{i} int")) + "); INSERT INTO wide (c1) VALUES (1); "
            + "CREATE TABLE _cf_meta (id int PRIMARY KEY); INSERT INTO _cf_meta VALUES (1);");
        var path = _dir.File("limits.sqlite");
        // Stopping at the first refusal (-ErrorAction Stop): every problem in one error, nothing written.
        var stop = new ImportOptions { StopAtFirstRefusal = true };
        var wide = Assert.Throws<Migration.Engine.Preflight.PreflightException>(() => WholeDatabaseRun.Run(db, path, new PgTableSelection(ExcludeTables: ["_cf_*"]), ConversionOptions.Default, stop));
        Assert.Contains("101 columns", wide.Message, StringComparison.Ordinal);
        var reserved = Assert.Throws<Migration.Engine.Preflight.PreflightException>(() => WholeDatabaseRun.Run(db, path, new PgTableSelection(Tables: ["_cf_*", "a_*"]), ConversionOptions.Default, stop));
        Assert.Contains("_cf_", reserved.Message, StringComparison.Ordinal);
        Assert.Empty(Rows(path, "SELECT name FROM sqlite_schema"));

        // Going on: those tables are refused on their own and the others load.
        var run = WholeDatabaseRun.Run(db, path, PgTableSelection.All, ConversionOptions.Default);
        Assert.Equal(["a_first"], Rows(path, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name").Select(r => r[0]));
        Assert.Equal(["Refused", "Refused"], run.Summaries.Where(s => s.Refused is not null).Select(s => s.Status));
    }

    [Fact]
    public void Two_source_tables_that_would_be_one_D1_table_fail_before_anything_is_written()
    {
        var db = CatalogFixture.Create(pg);
        var path = _dir.File("clash.sqlite");
        // Without the TableMap entry for sales.items, it and public.items are both "items".
        var ex = Assert.Throws<Migration.Engine.Preflight.PreflightException>(() => WholeDatabaseRun.Run(db, path, CatalogFixture.Selection, ConversionOptions.Default, new ImportOptions { StopAtFirstRefusal = true }));
        Assert.Contains("public.items", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sales.items", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Rows(path, "SELECT name FROM sqlite_schema"));
    }

    [Theory]
    [InlineData("p*", "public", "posts", true)]
    [InlineData("p*", "public", "auth_user", false)]   // no dot: the bare name only
    [InlineData("sales.*", "sales", "items", true)]
    [InlineData("sales.*", "public", "items", false)]
    [InlineData("*.ITEMS", "sales", "items", true)]    // PowerShell's wildcards ignore case
    [InlineData("django_[sc]*", "public", "django_session", true)]
    public void Table_patterns_match_names_as_PowerShell_wildcards(string pattern, string schema, string table, bool expected)
    {
        Assert.Equal(expected, new PgTableSelection(Tables: [pattern]).Includes(schema, table));
        Assert.Equal(!expected, new PgTableSelection(ExcludeTables: [pattern]).Includes(schema, table));
        Assert.False(PgTableSelection.All.Includes("pg_catalog", "pg_class"));
        Assert.False(PgTableSelection.All.Includes("information_schema", "tables"));
    }

    [Fact]
    public void A_child_table_loaded_alone_keeps_its_data_and_says_which_foreign_key_it_could_not_create()
    {
        var db = CatalogFixture.Create(pg);
        var path = _dir.File("child.sqlite");
        var warnings = new List<SchemaWarning>();
        var converter = new RowConverter(CatalogFixture.Options);
        using (var exporter = new PgExporter(new PgConnectionSettings(db)))
        using (var target = SqliteTarget.Open(path, new ImportOptions()))
        {
            target.SchemaWarningRaised += warnings.Add;
            foreach (var table in exporter.Describe(["orders"]))
                foreach (var row in exporter.Export(table)) target.Add(converter.Convert(row));
            Assert.Equal(3, target.Complete().Single().RowsWritten);
        }
        var w = Assert.Single(warnings);
        Assert.Equal(("orders", "ForeignKey", "orders_customer_id_fkey"), (w.Table, w.ObjectKind, w.Name));
        Assert.Contains("clients", w.Reason, StringComparison.Ordinal);
        Assert.Empty(Rows(path, "SELECT * FROM pragma_foreign_key_list('orders')"));
        // The rest of the definition is there: the composite key.
        Assert.Equal(2L, Rows(path, "SELECT count(*) FROM pragma_table_info('orders') WHERE pk > 0").Single()[0]);
    }
}
