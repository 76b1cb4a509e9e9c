using Migration.Engine.Convert;
using Migration.Engine.Schema;
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
/// PostgreSQL -> D1 -> PostgreSQL on the fidelity corpus: every row the way out accepted comes
/// back identical, compared by Postgres itself (each row's text form in one session setting);
/// the row the way out refused (a numeric NaN under the default -NonFinite Error) stays refused.
/// Then the D1 -> PostgreSQL target's own guarantees: a batch and its journal commit together,
/// a resumed run writes each row once, undo takes exactly the run's rows; all through
/// <see cref="MigrationSession"/> with <see cref="PgDatabase"/>, as Import-PgTable drives it.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class RoundTripTests(PgCluster pg) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("roundtrip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static IReadOnlyList<TableSchema> Catalog(string cs)
    {
        using var exporter = new PgExporter(new PgConnectionSettings(cs));
        return exporter.DescribeAll(PgTableSelection.All, out _);
    }

    /// <summary>What the session reports, kept for the assertions.</summary>
    internal sealed class Watch : IMigrationObserver
    {
        public List<RowError> Errors { get; } = [];
        public List<OrphanRow> Orphans { get; } = [];
        public Action<BatchResult>? Committed { get; init; }
        public void RowFailed(RowError error) => Errors.Add(error);
        public void OrphanFound(OrphanRow orphan) => Orphans.Add(orphan);
        public void BatchCommitted(BatchResult batch) => Committed?.Invoke(batch);
    }

    static MigrationSession Session(string cs, PgTargetOptions options, bool resume, IMigrationObserver observer) =>
        new(new PgDatabase(new PgConnectionSettings(cs), options), new SessionOptions { Resume = resume, Source = "test" }, observer);

    /// <summary>D1 file -> Postgres through the engine's session (what the three cmdlets do); returns the conversion errors.</summary>
    static List<ConversionException> Load(string file, string cs, string[] tables, PgTargetOptions options, PgConversionOptions? conversion = null,
        Watch? watch = null, bool resume = false)
    {
        using var source = new SqliteFileSource(file);
        return Load(source, cs, tables, options, conversion, watch, resume);
    }

    /// <summary>Any D1 source (a file, a remote D1) -> Postgres through the engine's session; returns the conversion errors.</summary>
    internal static List<ConversionException> Load(D1Source source, string cs, string[] tables, PgTargetOptions options, PgConversionOptions? conversion = null,
        Watch? watch = null, bool resume = false)
    {
        var errors = new List<ConversionException>();
        var converter = new PgRowConverter(conversion ?? PgConversionOptions.Default, Catalog(cs));
        using var session = Session(cs, options, resume, watch ?? new Watch());
        if (!session.Start()) return errors;
        foreach (var table in source.Describe(tables))
            foreach (var row in source.Export(table))
            {
                try { session.Add(converter.Convert(row)); }
                catch (ConversionException ex) { errors.Add(ex); }
            }
        session.Complete();
        return errors;
    }

    internal static List<string> RowsAsText(string cs, string sql)
    {
        using var c = new NpgsqlConnection(cs);
        c.Open();
        using var cmd = new NpgsqlCommand("SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'; " + sql, c);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        do { while (r.Read()) list.Add(r.IsDBNull(0) ? "NULL" : r.GetValue(0).ToString()!); } while (r.NextResult());
        return list;
    }

    [Fact]
    public void The_fidelity_corpus_comes_back_identical()
    {
        var source = pg.CreateDatabase("rt_src");
        pg.Execute(source, PipelineFidelityTests.Corpus);
        var file = Path.Combine(_dir, "corpus.sqlite");
        var (written, outErrors) = PipelineFidelityTests.Migrate(source, file, ConversionOptions.Default, ["corpus"]);
        Assert.Equal(5, written);
        Assert.Contains("id=5", Assert.Single(outErrors).Message);

        var back = pg.CreateDatabase("rt_back");
        pg.Execute(back, PipelineFidelityTests.Corpus + "; TRUNCATE corpus;");
        var errors = Load(file, back, ["corpus"], new PgTargetOptions { BatchSize = 2 });
        Assert.Empty(errors);

        var expected = RowsAsText(source, "SELECT c::text FROM corpus c WHERE id <> 5 ORDER BY id");
        var actual = RowsAsText(back, "SELECT c::text FROM corpus c ORDER BY id");
        Assert.Equal(expected, actual);
        Assert.Equal(5, actual.Count);
    }

    [Fact]
    public void A_batch_Postgres_refuses_is_split_the_bad_rows_quarantined_and_undo_takes_exactly_the_run()
    {
        var cs = pg.CreateDatabase("rt_probe");
        pg.Execute(cs, "CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1), (2); CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p, v varchar(3)); INSERT INTO c VALUES (100, 1, 'old');");
        var file = Path.Combine(_dir, "probe.sqlite");
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER, v TEXT); INSERT INTO c VALUES (1, 1, 'a'), (2, 9, 'b'), (3, 2, 'toolong'), (4, 2, 'd'), (100, 2, 'dup');";
            cmd.ExecuteNonQuery();
        }
        var watch = new Watch();
        Load(file, cs, ["c"], new PgTargetOptions { BatchSize = 10, OrphanPolicy = OrphanPolicy.Skip }, watch: watch);
        var errors = watch.Errors;
        var orphans = watch.Orphans;
        Assert.Equal(["1", "4", "100"], RowsAsText(cs, "SELECT id FROM c ORDER BY id"));
        Assert.Equal("old", RowsAsText(cs, "SELECT v FROM c WHERE id = 100")[0]);
        Assert.Equal("id=2", Assert.Single(orphans).Key);
        Assert.Equal(["id=3", "id=100"], errors.Select(e => e.Key).ToArray());
        Assert.Contains("value too long", errors[0].Reason);
        Assert.Contains("duplicate key", errors[1].Reason);
        Assert.Equal(["3"], RowsAsText(cs, "SELECT count(*) FROM migration_journal.quarantine"));
        Assert.Equal(["1"], RowsAsText(cs, "SELECT count(*) FROM migration_journal.batches"));

        var undo = new PgUndo(new PgConnectionSettings(cs));
        Assert.Equal(2, Assert.Single(undo.Plan(1)).RowsToDelete);
        undo.Undo(1);
        Assert.Equal(["100"], RowsAsText(cs, "SELECT id FROM c ORDER BY id"));
        Assert.Throws<InvalidOperationException>(() => undo.Undo(1));
    }

    [Fact]
    public void Resume_continues_after_the_checkpoint_and_a_completed_run_writes_nothing()
    {
        var cs = pg.CreateDatabase("rt_resume");
        pg.Execute(cs, "CREATE TABLE t (id text PRIMARY KEY, n int)");
        var file = Path.Combine(_dir, "resume.sqlite");
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 25) INSERT INTO t SELECT 'k' || i, i FROM c;";
            cmd.ExecuteNonQuery();
        }
        // The first attempt dies after two batches (an exception out of the batch observer, as a crash would).
        var converter = new PgRowConverter(PgConversionOptions.Default, Catalog(cs));
        var batches = 0;
        var killer = new Watch { Committed = _ => { if (++batches == 2) throw new IOException("killed"); } };
        using (var source = new SqliteFileSource(file))
        using (var session = Session(cs, new PgTargetOptions { BatchSize = 10 }, resume: false, killer))
        {
            session.Start();
            Assert.Throws<IOException>(() =>
            {
                foreach (var row in source.Export(source.Describe(["t"])[0])) session.Add(converter.Convert(row));
                session.Complete();
            });
        }
        Assert.Equal(["20"], RowsAsText(cs, "SELECT count(*) FROM t"));
        Assert.Equal(["Failed"], RowsAsText(cs, "SELECT status FROM migration_journal.runs"));
        Load(file, cs, ["t"], new PgTargetOptions { BatchSize = 10 }, resume: true);
        Assert.Equal(["25", "25"], RowsAsText(cs, "SELECT count(*) FROM t; SELECT count(DISTINCT n) FROM t"));
        Assert.Equal(["Completed 2"], RowsAsText(cs, "SELECT status || ' ' || attempts FROM migration_journal.runs"));
        // Once completed, resuming again writes nothing.
        Load(file, cs, ["t"], new PgTargetOptions { BatchSize = 10 }, resume: true);
        Assert.Equal(["3"], RowsAsText(cs, "SELECT count(*) FROM migration_journal.batches"));
    }
    /// <summary>Scenario 2's rules through the engine: ids mapped and foreign keys rewritten across batches and runs, orphans skipped into the quarantine, a merge, a duplicate email refused by its column.</summary>
    [Fact]
    public void Ids_map_across_batches_and_runs_orphans_are_quarantined_merges_fill_one_row_and_a_duplicate_is_named()
    {
        var cs = pg.CreateDatabase("rt_ignition");
        pg.Execute(cs, """
            CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE);
            CREATE TABLE accounts (id bigint PRIMARY KEY, user_id uuid NOT NULL REFERENCES users(id));
            CREATE TABLE user_progress (user_id uuid PRIMARY KEY REFERENCES users(id), streak_days int, total_xp int);
            """);
        var file = Path.Combine(_dir, "ignition.sqlite");
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL);
                CREATE TABLE accounts (id INTEGER PRIMARY KEY, userId TEXT NOT NULL);
                CREATE TABLE user_progress (userId TEXT PRIMARY KEY, streakDays INTEGER);
                CREATE TABLE user_wallet (userId TEXT PRIMARY KEY, xp INTEGER);
                INSERT INTO users VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'ann@x'), ('u_a', 'a@x'), ('u_b', 'b@x'), ('u_c', 'ann@x'), ('u_d', 'd@x');
                INSERT INTO accounts VALUES (1, 'u_a'), (2, 'u_d'), (3, 'u_ghost'), (4, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (5, 'u_b');
                INSERT INTO user_progress VALUES ('u_a', 3);
                INSERT INTO user_wallet VALUES ('u_a', 120), ('u_b', 50);
                """;
            cmd.ExecuteNonQuery();
        }
        var conversion = new PgConversionOptions
        {
            ColumnNaming = Migration.Engine.Convert.D1ToPg.ColumnNaming.SnakeCase,
            TableMap = new Dictionary<string, string> { ["user_wallet"] = "user_progress" },
            ColumnMap = new Dictionary<string, string> { ["user_wallet.xp"] = "total_xp" },
        };
        var watch = new Watch();
        var options = new PgTargetOptions { BatchSize = 2, IdMap = IdMapMode.Generate, OrphanPolicy = OrphanPolicy.Skip };
        Load(file, cs, ["users"], options, conversion, watch);
        var refused = watch.Errors.Select(e => $"{e.Table} {e.Key} {e.Column} {e.ValueExcerpt}").ToList();
        // A second run: the children find the parents the first run mapped.
        Load(file, cs, ["accounts", "user_progress", "user_wallet"], options, conversion);

        Assert.Equal(["users id=u_c email ann@x"], refused);
        Assert.Equal(["a@x", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ann@x", "b@x", "d@x"],
            RowsAsText(cs, "SELECT CASE WHEN id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' THEN id || ' ' ELSE '' END || email FROM users ORDER BY email"));
        Assert.Equal(["1 u_a", "2 u_d", "4 a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "5 u_b"],
            RowsAsText(cs, "SELECT a.id || ' ' || coalesce(m.old_id, a.user_id::text) FROM accounts a LEFT JOIN migration_journal.migration_id_map m ON m.new_id = a.user_id ORDER BY a.id"));
        Assert.Equal(["accounts id=3 user_id Orphan users"],
            RowsAsText(cs, "SELECT target_table || ' ' || row_key || ' ' || column_name || ' ' || stage || ' ' || missing_parent FROM migration_journal.quarantine WHERE stage = 'Orphan'"));
        Assert.Equal(["u_a 3 120", "u_b NULL 50"],
            RowsAsText(cs, "SELECT m.old_id || ' ' || coalesce(p.streak_days::text, 'NULL') || ' ' || p.total_xp FROM user_progress p JOIN migration_journal.migration_id_map m ON m.new_id = p.user_id ORDER BY 1"));
    }
}
