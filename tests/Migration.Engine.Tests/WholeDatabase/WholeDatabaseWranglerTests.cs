using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// The generated DDL and a migrated database in a real local D1 (wrangler 4.86 / workerd),
/// where foreign keys are always enforced: the DDL goes in through <c>wrangler d1 execute
/// --local --file</c> and as a numbered migration through <c>wrangler d1 migrations apply
/// --local</c>; the data is then loaded into that database and read back through wrangler.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class WholeDatabaseWranglerTests(PgCluster pg) : IDisposable
{
    readonly WranglerLocalD1 _d1 = WranglerLocalD1.Create();
    public void Dispose() => _d1.Dispose();

    static readonly string[] Tables = ["audit_log", "bookings", "categories", "clients", "items", "order_items", "order_lines", "orders", "players", "sales_items", "teams"];

    [Fact]
    public void The_DDL_file_runs_in_local_D1_and_D1_enforces_its_constraints()
    {
        var db = CatalogFixture.Create(pg);
        var (_, d1, _) = CatalogFixture.Describe(db);
        var file = Path.Combine(_d1.ProjectDirectory, "schema.sql");
        File.WriteAllText(file, D1Ddl.Script(D1Ddl.Statements(d1), d1.SelectMany(t => t.Definition!.Warnings)));
        _d1.ExecuteFile(file);

        var names = _d1.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'd1_migrations' ORDER BY name")
            .Select(r => r["name"].GetString()!).ToArray();
        Assert.Equal(Tables, names);
        var indexes = _d1.Query("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").Select(r => r["name"].GetString()!).ToArray();
        Assert.Equal(["customers_active_recent", "customers_lower_email", "items_label_idx", "sales.items_label_idx"], indexes);
        // wrangler strips SQL comments from a file, so the source's comments are not in D1 this way (a warning says so).
        Assert.DoesNotContain("-- Login e-mail", _d1.Query("SELECT sql FROM sqlite_schema WHERE name = 'clients'").Single()["sql"].GetString(), StringComparison.Ordinal);
        Assert.Contains(d1.Single(t => t.Name == "clients").Definition!.Warnings, w => w.ObjectKind == "Comment");

        // D1 enforces the foreign keys and checks as declared.
        var orphan = Assert.Throws<InvalidOperationException>(() => _d1.Execute("INSERT INTO teams (id, captain_id, name) VALUES (1, 99, 'x')"));
        Assert.Contains("FOREIGN KEY", orphan.Message, StringComparison.Ordinal);
        var check = Assert.Throws<InvalidOperationException>(() => _d1.Execute("INSERT INTO categories (id, name) VALUES (1, 'a'); INSERT INTO order_items (\"select\", \"from\") VALUES (1, 1); INSERT INTO clients (mail, score) VALUES ('a@b', 0)"));
        Assert.Contains("CHECK", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_numbered_migration_applies_with_wrangler_and_the_data_then_loads_into_it()
    {
        var db = CatalogFixture.Create(pg);
        var (_, d1, _) = CatalogFixture.Describe(db);
        var path = D1Ddl.WriteMigration(_d1.MigrationsDirectory, "from_postgres", D1Ddl.Script(D1Ddl.Statements(d1), []));
        Assert.Equal("0001_from_postgres.sql", Path.GetFileName(path));
        _d1.ApplyMigrations();
        Assert.Equal("0001_from_postgres.sql", _d1.Query("SELECT name FROM d1_migrations").Single()["name"].GetString());

        // The tables exist already (from the migration): the target loads into them.
        var run = WholeDatabaseRun.Run(db, _d1.StateFile, CatalogFixture.Selection, CatalogFixture.Options, new Migration.Engine.Target.ImportOptions { BatchSize = 2 });
        Assert.Empty(run.Errors);

        Assert.Equal(3, _d1.Query("SELECT count(*) AS n FROM clients").Single()["n"].GetInt64());
        var teams = _d1.Query("SELECT id, captain_id FROM teams ORDER BY id");
        Assert.Equal([10L, 12L], teams.Select(r => r["captain_id"].GetInt64()).ToArray());
        Assert.Equal(5, _d1.Query("SELECT count(*) AS n FROM categories").Single()["n"].GetInt64());
        Assert.Empty(_d1.Query("PRAGMA foreign_key_check"));
        Assert.Empty(Rows(_d1.StateFile, "PRAGMA foreign_key_check"));
        Assert.Equal("ok", Rows(_d1.StateFile, "PRAGMA integrity_check").Single()[0]);
    }

    [Fact]
    public void A_whole_database_loads_straight_into_an_empty_local_D1()
    {
        var db = CatalogFixture.Create(pg);
        var run = WholeDatabaseRun.Run(db, _d1.StateFile, CatalogFixture.Selection, CatalogFixture.Options);
        Assert.Empty(run.Errors);
        foreach (var t in Tables)
            Assert.Equal(run.Summary(t).RowsWritten, _d1.Query($"SELECT count(*) AS n FROM \"{t}\"").Single()["n"].GetInt64());
        // Created by the target itself, the tables keep the source's comments in their CREATE text.
        Assert.Contains("-- Login e-mail", _d1.Query("SELECT sql FROM sqlite_schema WHERE name = 'clients'").Single()["sql"].GetString(), StringComparison.Ordinal);
        Assert.Equal("groß", _d1.Query("SELECT \"Größe\" AS g FROM order_items WHERE \"select\" = 1").Single()["g"].GetString());
        Assert.Empty(_d1.Query("PRAGMA foreign_key_check"));
        Assert.Equal("ok", Rows(_d1.StateFile, "PRAGMA integrity_check").Single()[0]);
        // Still enforced afterwards, through D1 itself.
        Assert.Throws<InvalidOperationException>(() => _d1.Execute("DELETE FROM players WHERE id = 10"));
    }
}
