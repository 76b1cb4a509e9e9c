using Migration.Engine.Convert;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Source.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Postgres;
using Migration.Engine.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Pipeline;

/// <summary>
/// -DeferForeignKeys (<see cref="PgForeignKeyDeferral"/>) against a real Postgres: rows load
/// without per-row foreign-key checks (a child whose parent is missing goes in), each foreign key
/// is validated by one query at the end, and an orphan fails the run naming its row; the run is
/// Failed and resumable, the option is journaled so a resume without the switch validates too,
/// and undo takes exactly the run's rows. A trigger replica mode would skip refuses the run
/// before anything (not even a run row) is written. The catalog is never changed.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class DeferForeignKeysTests(PgCluster pg) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("deferfk-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    const string Target = """
        CREATE TABLE p (id int PRIMARY KEY);
        CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p, v text);
        """;

    string D1File(string sql)
    {
        var file = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".sqlite");
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER, v TEXT); " + sql;
        cmd.ExecuteNonQuery();
        return file;
    }

    static void Load(string file, string cs, PgTargetOptions options, bool resume = false)
    {
        IReadOnlyList<Schema.TableSchema> catalog;
        using (var exporter = new PgExporter(new PgConnectionSettings(cs))) catalog = exporter.DescribeAll(PgTableSelection.All, out _);
        var converter = new PgRowConverter(PgConversionOptions.Default, catalog);
        using var source = new SqliteFileSource(file);
        using var session = new MigrationSession(new PgDatabase(new PgConnectionSettings(cs), options), new SessionOptions { Resume = resume, Source = "test" }, new NullObserver());
        if (!session.Start()) return;
        foreach (var table in source.Describe(["p", "c"]))
            foreach (var row in source.Export(table)) session.Add(converter.Convert(row));
        try { session.Complete(); }
        catch (Exception ex)
        {
            session.Fail(ex.Message);
            throw;
        }
    }

    sealed class NullObserver : IMigrationObserver;

    List<string> Rows(string cs, string sql)
    {
        using var c = new NpgsqlConnection(cs);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.IsDBNull(0) ? "NULL" : r.GetValue(0).ToString()!);
        return list;
    }

    [Fact]
    public void Valid_rows_load_with_the_option_journaled_and_the_foreign_key_untouched()
    {
        var cs = pg.CreateDatabase("dfk_ok");
        pg.Execute(cs, Target);
        Load(D1File("INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (10, 1, 'a'), (11, 2, 'b'), (12, NULL, 'c');"), cs,
            new PgTargetOptions { BatchSize = 2, DeferForeignKeys = true });
        Assert.Equal(["10", "11", "12"], Rows(cs, "SELECT id FROM c ORDER BY id"));
        Assert.Equal(["Completed BatchSize=2 IdMap=None OrphanPolicy=Fail DeferForeignKeys=True"], Rows(cs, "SELECT status || ' ' || options FROM migration_journal.runs"));
        Assert.Equal(["True"], Rows(cs, "SELECT convalidated FROM pg_constraint WHERE conname = 'c_p_fkey'"));
        // Other sessions kept checking: the constraint is in force after the run.
        Assert.Throws<PostgresException>(() => pg.Execute(cs, "INSERT INTO c VALUES (99, 42, 'x')"));
    }

    [Fact]
    public void An_orphan_fails_the_run_naming_the_row_a_resume_without_the_switch_validates_again_and_undo_takes_the_run()
    {
        var cs = pg.CreateDatabase("dfk_orphan");
        pg.Execute(cs, Target);
        var file = D1File("INSERT INTO p VALUES (1); INSERT INTO c VALUES (10, 1, 'a'), (11, 7, 'b'), (12, 8, 'c');");
        var ex = Assert.Throws<ForeignKeyValidationException>(() => Load(file, cs, new PgTargetOptions { BatchSize = 2, DeferForeignKeys = true }));
        Assert.Equal(2, ex.Orphans);
        Assert.Contains("foreign key c_p_fkey (c.p -> p): 2 row(s) with no parent row: id=11 (p=7); id=12 (p=8)", ex.Message);
        // Loaded without per-row checks; the run is Failed (resumable), its message names the rows.
        Assert.Equal(["10", "11", "12"], Rows(cs, "SELECT id FROM c ORDER BY id"));
        Assert.Equal(["Failed"], Rows(cs, "SELECT status FROM migration_journal.runs"));
        Assert.Contains("id=11 (p=7)", Rows(cs, "SELECT message FROM migration_journal.runs")[0]);

        // A resume that does not give the switch still validates (the option is journaled).
        Assert.Throws<ForeignKeyValidationException>(() => Load(file, cs, new PgTargetOptions { BatchSize = 2 }, resume: true));
        // The parents arrive; the resume validates and completes, writing no row twice.
        pg.Execute(cs, "INSERT INTO p VALUES (7), (8)");
        Load(file, cs, new PgTargetOptions { BatchSize = 2 }, resume: true);
        Assert.Equal(["Completed 3"], Rows(cs, "SELECT status || ' ' || attempts FROM migration_journal.runs"));
        Assert.Equal(["3"], Rows(cs, "SELECT count(*) FROM c"));

        var undo = new PgUndo(new PgConnectionSettings(cs));
        undo.Undo(1);
        Assert.Equal(["0", "2"], Rows(cs, "SELECT count(*) FROM c UNION ALL SELECT count(*) FROM p"));
    }

    [Fact]
    public void A_trigger_replica_mode_would_skip_refuses_the_run_before_anything_is_written()
    {
        var cs = pg.CreateDatabase("dfk_trigger");
        pg.Execute(cs, Target + """
            CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := 'stamped'; RETURN NEW; END $$;
            CREATE TRIGGER c_stamp BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION stamp();
            """);
        var file = D1File("INSERT INTO p VALUES (1); INSERT INTO c VALUES (10, 1, 'a');");
        var ex = Assert.Throws<InvalidOperationException>(() => Load(file, cs, new PgTargetOptions { DeferForeignKeys = true }));
        Assert.Contains("c.c_stamp", ex.Message);
        Assert.Contains("Nothing was written", ex.Message);
        Assert.Equal(["0"], Rows(cs, "SELECT count(*) FROM migration_journal.runs"));
        Assert.Equal(["0"], Rows(cs, "SELECT count(*) FROM c"));
        // ENABLE ALWAYS: it fires in replica mode too, so the load goes ahead and the trigger ran.
        pg.Execute(cs, "ALTER TABLE c ENABLE ALWAYS TRIGGER c_stamp");
        Load(file, cs, new PgTargetOptions { DeferForeignKeys = true });
        Assert.Equal(["stamped"], Rows(cs, "SELECT v FROM c"));
    }

    [Fact]
    public void A_role_that_may_not_set_session_replication_role_is_told_what_to_grant()
    {
        var cs = pg.CreateDatabase("dfk_role");
        pg.Execute(cs, Target + """
            DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dfk_loader') THEN CREATE ROLE dfk_loader LOGIN; END IF; END $$;
            GRANT ALL ON SCHEMA public TO dfk_loader; GRANT ALL ON ALL TABLES IN SCHEMA public TO dfk_loader;
            """);
        pg.Execute(cs, $"GRANT CREATE ON DATABASE {new NpgsqlConnectionStringBuilder(cs).Database} TO dfk_loader");
        var loader = new NpgsqlConnectionStringBuilder(cs) { Username = "dfk_loader" }.ConnectionString;
        var file = D1File("INSERT INTO p VALUES (1);");
        var ex = Assert.Throws<InvalidOperationException>(() => Load(file, loader, new PgTargetOptions { DeferForeignKeys = true }));
        Assert.Contains("GRANT SET ON PARAMETER session_replication_role", ex.Message);
        Assert.Equal(["0"], Rows(cs, "SELECT count(*) FROM migration_journal.runs"));
    }
}
