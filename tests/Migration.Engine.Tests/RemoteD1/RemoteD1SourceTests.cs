using System.Text.RegularExpressions;
using Migration.Engine.Cloudflare;
using Migration.Engine.Convert;
using Migration.Engine.Integrity;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Source.RemoteD1;
using Migration.Engine.Source.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Postgres;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Pipeline;
using Migration.Engine.Tests.Target;
using Xunit;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>
/// A remote D1 as a source (<see cref="RemoteD1Source"/>, Export-D1Table -Database): the same
/// rows, values, order and source keys as a local file holding the same database, page by page
/// through /raw; the scenario-2 (Ignition) pipeline into a real Postgres giving the same content
/// as from the file; the fidelity corpus PG -> remote D1 -> PG identical; faults during the read
/// changing nothing; a table changed during its read reported; the reverse integrity check.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1SourceTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    // The Postgres cluster is shared by the test process (started once); this class lives in the API server's collection.
    readonly PgCluster _pg = new();
    readonly TempDirectory _dir = new();

    string Location => "d1://" + CloudflareApiServer.Database;

    RemoteD1Source Source(int pageRows = 5000, CloudflareApiClient? api = null) =>
        new((api ?? _fast).D1(Server.DatabaseUuids[CloudflareApiServer.Database]), Location) { FirstPageRows = Math.Min(pageRows, 200), MaxPageRows = pageRows };

    // Pages of one or two rows make many requests: this client's limiter allows far more than the
    // account's 1,000 per 5 minutes (the limiter itself is proved in CloudflareClientUnitTests).
    readonly CloudflareApiClient _fast = Fast(server);

    static CloudflareApiClient Fast(CloudflareApiServer server, TimeSpan? timeout = null)
    {
        var s = server.Settings(timeout: timeout);
        return new CloudflareApiClient(new CloudflareSettings
        {
            AccountId = s.AccountId, ApiToken = s.ApiToken, ApiBaseUri = s.ApiBaseUri, RequestTimeout = s.RequestTimeout,
            RetryBaseDelay = s.RetryBaseDelay, MaxBackoff = s.MaxBackoff, MaxAttempts = 8, RequestsPerWindow = 1_000_000, Burst = 10_000,
        });
    }

    void Remote(string sql) => Client().QueryAsync(new D1Statement(sql), RetrySafety.Write).GetAwaiter().GetResult();

    /// <summary>The same SQL into the remote D1 and into a new local file; returns the file.</summary>
    string Both(string sql)
    {
        Remote(sql);
        var file = _dir.File("local.sqlite");
        TargetTestSupport.Exec(file, sql);
        return file;
    }

    internal static string Fixture(string name) => File.ReadAllText(Path.Combine(WranglerLocalD1.RepositoryRoot(), "tests", "fixtures", "ignition", name));

    /// <summary>Scenario 2's D1 database as a remote D1 can hold it: D1 enforces foreign keys, so the two tables holding orphans declare none.</summary>
    static string IgnitionForRemote => Regex.Replace(Fixture("d1.sql"), @"(?m)^(CREATE TABLE (accounts|user_wallet) .*?) REFERENCES users\(id\)", "$1");

    /// <summary>Each table of a source in its order: its name, then every row as its source key and its values with their CLR types.</summary>
    static List<string> Read(D1Source source, IReadOnlyList<TableSchema> tables, Func<TableSchema, IReadOnlyList<object?>?>? after = null)
    {
        var lines = new List<string>();
        foreach (var t in tables)
        {
            lines.Add("table " + t.Name + " key " + string.Join(",", t.PrimaryKey));
            foreach (var row in source.Export(t, after?.Invoke(t)))
                lines.Add(string.Join(" | ", row.SourceKey!.Select(Describe)) + " => " + string.Join(" | ", row.GetValues().Select(Describe)));
        }
        return lines;
    }

    static string Describe(object? v) => v switch
    {
        null => "null",
        byte[] b => "blob:" + System.Convert.ToHexString(b),
        double d => "real:" + d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        string s => "text:" + System.Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(s)),
        _ => v.GetType().Name + ":" + v,
    };

    internal static readonly PgConversionOptions IgnitionMapping = new()
    {
        ColumnNaming = Migration.Engine.Convert.D1ToPg.ColumnNaming.SnakeCase,
        TableMap = new Dictionary<string, string> { ["user_wallet"] = "user_progress" },
        ColumnMap = new Dictionary<string, string> { ["user_wallet.xp"] = "total_xp", ["user_wallet.level"] = "current_level" },
        Computed = [new ComputedColumn("users", "email_verified", D1Type.Text, r => Equals(r.GetValue("emailVerified"), 1L) ? r.GetValue("created_at") : null)],
    };

    /// <summary>Export-D1Table -All -ExcludeTable sessions | ConvertTo-PgRow | Import-PgTable, through the engine (the target's order as ConvertTo-PgRow keeps it).</summary>
    internal static List<ConversionException> Migrate(D1Source source, string cs, PgTargetOptions target, bool resume = false, RoundTripTests.Watch? watch = null,
        PgConversionOptions? mapping = null)
    {
        var errors = new List<ConversionException>();
        var tables = source.DescribeAll(new PgTableSelection(ExcludeTables: ["sessions"]), out _);
        var converter = new PgRowConverter(mapping ?? IgnitionMapping, RoundTripTests.Catalog(cs));
        var order = new TargetLoadOrder(tables, converter.TargetTableFor);
        using var session = new MigrationSession(new PgDatabase(new PgConnectionSettings(cs), target), new SessionOptions { Resume = resume, Source = "test" }, watch ?? new RoundTripTests.Watch());
        if (!session.Start()) return errors;
        foreach (var table in tables)
            foreach (var row in source.Export(table))
            {
                Row converted;
                try { converted = converter.Convert(row); }
                catch (ConversionException ex) { errors.Add(ex); continue; }
                foreach (var r in order.Accept(table.Name, converted)) session.Add(r);
            }
        foreach (var r in order.Drain()) session.Add(r);
        session.Complete();
        return errors;
    }

    internal static List<string> PgContent(string cs) => RoundTripTests.RowsAsText(cs, """
        SELECT 'users ' || u::text FROM users u ORDER BY 1;
        SELECT 'accounts ' || a::text FROM accounts a ORDER BY 1;
        SELECT 'progress ' || p::text FROM user_progress p ORDER BY 1;
        SELECT 'achievements ' || a::text FROM achievements a ORDER BY 1;
        SELECT 'idmap ' || table_name || ' ' || old_id || ' ' || new_id FROM migration_journal.migration_id_map ORDER BY 1;
        SELECT 'quarantine ' || coalesce(source_table, '') || ' ' || target_table || ' ' || row_key || ' ' || stage FROM migration_journal.quarantine ORDER BY 1;
        """);

    [Fact]
    public void The_Ignition_fixture_read_remotely_gives_the_same_Postgres_content_as_the_local_file_and_the_reverse_integrity_check_passes()
    {
        var file = Both(IgnitionForRemote);
        using var local = new SqliteFileSource(file);
        // Pages of 2 rows: every table is read in several pages.
        using var remote = Source(pageRows: 2);
        var localTables = local.DescribeAll(PgTableSelection.All, out _);
        var remoteTables = remote.DescribeAll(PgTableSelection.All, out _);
        Assert.Equal(localTables.Select(t => t.Name), remoteTables.Select(t => t.Name));
        Assert.Equal(localTables.Select(t => string.Join(",", t.Columns.Select(c => $"{c.Name}:{c.D1Type}:{c.IsNullable}"))),
            remoteTables.Select(t => string.Join(",", t.Columns.Select(c => $"{c.Name}:{c.D1Type}:{c.IsNullable}"))));
        Assert.Equal(Read(local, localTables), Read(remote, remoteTables));
        Assert.True(remote.Requests > 20, $"{remote.Requests} requests: the tables were not read in pages");

        var fromFile = _pg.CreateDatabase("src_file");
        var fromRemote = _pg.CreateDatabase("src_remote");
        _pg.Execute(fromFile, Fixture("postgres.sql"));
        _pg.Execute(fromRemote, Fixture("postgres.sql"));
        var target = new PgTargetOptions { BatchSize = 2, IdMap = IdMapMode.Deterministic, OrphanPolicy = OrphanPolicy.Skip };
        var fileErrors = Migrate(local, fromFile, target);
        var remoteErrors = Migrate(remote, fromRemote, target);

        Assert.Equal(fileErrors.Select(e => e.Message), remoteErrors.Select(e => e.Message));
        Assert.Equal(2, remoteErrors.Count); // u_carol's isAdmin 2, u_dave's invalid JSON
        var content = PgContent(fromRemote);
        Assert.Equal(PgContent(fromFile), content);
        Assert.Contains(content, l => l.StartsWith("quarantine user_wallet user_progress userId=u_ghost Orphan", StringComparison.Ordinal));
        Assert.Equal(3, content.Count(l => l.StartsWith("users ", StringComparison.Ordinal)));

        // The reverse integrity check reads the remote D1 as its source, with the same checker as for a file.
        var integrity = new IntegrityOptions();
        var fromFileCheck = new D1ToPgIntegrityChecker(file, new PgConnectionSettings(fromFile), IgnitionMapping, integrity).Check(null).ToList();
        var remoteCheck = new D1ToPgIntegrityChecker(() => Source(pageRows: 3), new PgConnectionSettings(fromRemote), IgnitionMapping, integrity).Check(null).ToList();
        Assert.NotEmpty(remoteCheck);
        Assert.All(remoteCheck, r => Assert.True(r.Passed, $"{r.Table} {r.Kind}: {r.Details}"));
        Assert.Equal(fromFileCheck.Select(r => $"{r.Table} {r.Kind} {r.Passed} {r.Details}"), remoteCheck.Select(r => $"{r.Table} {r.Kind} {r.Passed} {r.Details}"));

        // A row changed in the remote D1 after the load: the remote check names it.
        Remote("UPDATE achievements SET badge = 'changed' WHERE id = 1");
        var changed = new D1ToPgIntegrityChecker(() => Source(), new PgConnectionSettings(fromRemote), IgnitionMapping, integrity).Check(null).ToList();
        var failed = Assert.Single(changed, r => !r.Passed);
        Assert.Equal(("achievements", IntegrityCheck.Checksum), (failed.Table, failed.Kind));
        Assert.Contains(failed.Differences, d => d.Column == "badge" && d.SourceValue == "changed" && d.TargetValue == "first");
    }

    [Fact]
    public void Resume_by_key_reads_what_the_file_source_reads_and_a_killed_load_resumed_from_the_remote_equals_a_clean_one()
    {
        var file = Both(IgnitionForRemote);
        using var local = new SqliteFileSource(file);
        using var remote = Source(pageRows: 2);
        var tables = remote.DescribeAll(PgTableSelection.All, out _);
        // After the key of each table's second row, as a resumed run's checkpoint.
        IReadOnlyList<object?>? Second(TableSchema t)
        {
            using var s = new SqliteFileSource(file);
            return s.Export(t).Skip(1).FirstOrDefault()?.SourceKey;
        }
        Assert.Equal(Read(local, local.DescribeAll(PgTableSelection.All, out _), Second), Read(remote, tables, Second));

        var clean = _pg.CreateDatabase("resume_clean");
        var killed = _pg.CreateDatabase("resume_killed");
        _pg.Execute(clean, Fixture("postgres.sql"));
        _pg.Execute(killed, Fixture("postgres.sql"));
        var target = new PgTargetOptions { BatchSize = 1, IdMap = IdMapMode.Deterministic, OrphanPolicy = OrphanPolicy.Skip };
        Migrate(Source(pageRows: 2), clean, target);
        var batches = 0;
        var killer = new RoundTripTests.Watch { Committed = _ => { if (++batches == 4) throw new IOException("killed"); } };
        Assert.Throws<IOException>(() => Migrate(Source(pageRows: 2), killed, target, watch: killer));
        Migrate(Source(pageRows: 2), killed, target, resume: true);
        Assert.Equal(PgContent(clean), PgContent(killed));
    }

    [Fact]
    public void The_fidelity_corpus_comes_back_identical_through_a_remote_D1()
    {
        var source = _pg.CreateDatabase("rd1_src");
        _pg.Execute(source, PipelineFidelityTests.Corpus);
        var rows = new List<Row>();
        var converter = new RowConverter(ConversionOptions.Default);
        using (var exporter = new PgExporter(new PgConnectionSettings(source)))
            foreach (var table in exporter.Describe(["corpus"]))
                foreach (var row in exporter.Export(table))
                {
                    try { rows.Add(converter.Convert(row)); }
                    catch (ConversionException) { } // the NaN row, refused on the way out (RoundTripTests)
                }
        Assert.Equal(5, rows.Count);
        Assert.Empty(Load(Database(), new SessionOptions { Import = new ImportOptions { BatchSize = 2 } }, rows).Errors);

        var back = _pg.CreateDatabase("rd1_back");
        _pg.Execute(back, PipelineFidelityTests.Corpus + "; TRUNCATE corpus;");
        using var remote = Source(pageRows: 2);
        Assert.Equal(["corpus"], remote.TableNames()); // never the remote journal's d1_migration_* tables
        Assert.Empty(RoundTripTests.Load(remote, back, ["corpus"], new PgTargetOptions { BatchSize = 2 }));

        var expected = RoundTripTests.RowsAsText(source, "SELECT c::text FROM corpus c WHERE id <> 5 ORDER BY id");
        Assert.Equal(expected, RoundTripTests.RowsAsText(back, "SELECT c::text FROM corpus c ORDER BY id"));
        Assert.Equal(5, expected.Count);
    }

    /// <summary>Keys of every kind: INTEGER, TEXT (binary order, NUL, emoji, empty), composite, WITHOUT ROWID, none (rowid), no affinity mixing classes, NULLs in a legacy TEXT key, NOCASE, odd names.</summary>
    const string PagingTables = """"
        CREATE TABLE ints (id INTEGER PRIMARY KEY, v TEXT);
        CREATE TABLE texts (code TEXT PRIMARY KEY, v INTEGER);
        CREATE TABLE pairs (a TEXT, b INTEGER, v REAL, PRIMARY KEY (a, b));
        CREATE TABLE narrow (a INTEGER, b TEXT, v BLOB, PRIMARY KEY (b, a)) WITHOUT ROWID;
        CREATE TABLE heap (v TEXT, n INTEGER);
        CREATE TABLE loose (k PRIMARY KEY, v TEXT);
        CREATE TABLE nullable (k TEXT PRIMARY KEY, v INTEGER);
        CREATE TABLE nocase (k TEXT COLLATE NOCASE PRIMARY KEY, v INTEGER);
        CREATE TABLE "we{ird} ""name""" ("{0}" INTEGER PRIMARY KEY, "x y" TEXT);
        WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 23) INSERT INTO ints SELECT value * 3 - 40, 'i' || value FROM s;
        INSERT INTO texts VALUES ('b', 1), ('a', 2), ('a ', 3), ('A', 4), ('é', 5), ('😀', 6), ('a' || char(0) || 'z', 7), ('', 8), ('10', 9), ('9', 10);
        WITH RECURSIVE s(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM s WHERE value < 16) INSERT INTO pairs SELECT char(97 + value % 3), value / 3, value / 7.0 FROM s;
        WITH RECURSIVE s(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM s WHERE value < 19) INSERT INTO narrow SELECT value % 4, 'k' || (value % 5), CAST(char(value, 0, 255) AS BLOB) FROM s;
        WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 11) INSERT INTO heap SELECT 'r' || value, value FROM s;
        DELETE FROM heap WHERE n IN (3, 7);
        INSERT INTO loose (k) VALUES (1), (2), (10), ('3'), ('abc'), (x'00'), (2.5), (-9223372036854775808), (9223372036854775807);
        INSERT INTO nullable VALUES (NULL, 1), ('a', 2), (NULL, 3), ('b', 4), (NULL, 5), ('c', 6);
        INSERT INTO nocase VALUES ('b', 1), ('A', 2), ('c', 3), ('D', 4), ('e', 5);
        INSERT INTO "we{ird} ""name""" VALUES (1, 'x'), (2, 'y'), (3, 'z');
        """";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void Keyset_pages_of_any_size_read_every_row_once_in_key_order_as_the_file_does(int pageRows)
    {
        var file = Both(PagingTables);
        using var local = new SqliteFileSource(file);
        using var remote = Source(pageRows);
        var tables = local.DescribeAll(PgTableSelection.All, out _);
        Assert.Equal(tables.Select(t => t.Name), remote.DescribeAll(PgTableSelection.All, out _).Select(t => t.Name));
        var expected = Read(local, tables);
        Assert.Equal(expected, Read(remote, remote.DescribeAll(PgTableSelection.All, out _)));
        Assert.Equal(9 + 23 + 10 + 17 + 20 + 9 + 9 + 6 + 5 + 3, expected.Count);
        if (pageRows != 2) return;
        // Resumed after keys at the start, the middle and the end of every table, as a checkpoint may fall anywhere.
        foreach (var t in tables)
        {
            // (A NULL key is no resume point: NULL is not ordered after anything.)
            var keys = local.Export(t).Select(r => r.SourceKey!).Where(k => k.All(v => v is not null)).ToList();
            foreach (var key in new[] { keys[0], keys[keys.Count / 2], keys[^2], keys[^1] })
                Assert.Equal(Read(local, [t], _ => key), Read(remote, [t], _ => key));
        }
    }

    /// <summary>
    /// A keyless table of 100 columns, D1's most: its rows are paged by rowid, which would be a
    /// 101st result column D1 refuses, so it is read apart. Every value (each storage class, a
    /// rowid over 2^53, gaps) and every rowid key as the file source gives them, resumed too.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void A_keyless_table_of_100_columns_reads_as_the_file_does(int pageRows)
    {
        var columns = Enumerable.Range(1, 100).Select(i => "c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        string Value(int i) => (i % 5) switch
        {
            0 => "value * " + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => "'t' || value || char(0) || '😀'",
            2 => "value / 3.0",
            3 => "CAST(char(value, 0, 255) AS BLOB)",
            _ => "NULL",
        };
        var file = Both($"""
            CREATE TABLE wide ({string.Join(", ", columns)});
            WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 9) INSERT INTO wide SELECT {string.Join(", ", columns.Select((_, i) => Value(i)))} FROM s;
            DELETE FROM wide WHERE rowid IN (3, 4, 8);
            INSERT INTO wide (rowid, c1, c100) VALUES (9007199254740993, 'big rowid', 100), (-5, 'negative rowid', 0);
            """);
        using var local = new SqliteFileSource(file);
        using var remote = Source(pageRows);
        var table = Assert.Single(remote.Describe(["wide"]));
        Assert.Equal(100, table.Columns.Count);
        Assert.False(table.HasPrimaryKey);
        var expected = Read(local, local.Describe(["wide"]));
        Assert.Equal(1 + 8, expected.Count); // the table line, then its rows
        Assert.Equal(expected, Read(remote, [table]));
        var keys = local.Export(local.Describe(["wide"])[0]).Select(r => r.SourceKey!).ToList();
        Assert.Equal([-5L, 1L, 2L, 5L, 6L, 7L, 9L, 9007199254740993L], keys.Select(k => (long)Assert.Single(k)!));
        foreach (var key in new[] { keys[0], keys[3], keys[^2], keys[^1] })
            Assert.Equal(Read(local, local.Describe(["wide"]), _ => key), Read(remote, [table], _ => key));
    }

    /// <summary>Exact values of every storage class through the API: 64-bit integers, REALs bit for bit, TEXT with NUL/CR/emoji, a 1.5 MB text, BLOBs.</summary>
    [Fact]
    public void Values_arrive_exactly_as_stored()
    {
        var file = Both("""
            CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, any_ ANY);
            INSERT INTO v VALUES
             (1, 9223372036854775807, 0.1, 'a' || char(0) || 'b' || char(13, 10) || '😀', x'00ff10', 9007199254740993),
             (2, -9223372036854775808, 1e308, '', x'', 3.0),
             (3, 9007199254740993, 5e-324, 'é', NULL, 'text'),
             (4, NULL, 9e999, NULL, zeroblob(10), x'01'),
             (5, 0, -9e999, '12', NULL, -0.0),
             (6, 1, 123456789.123456789, replace(hex(zeroblob(750000)), '00', 'xy'), x'', 1e-7);
            """);
        using var local = new SqliteFileSource(file);
        using var remote = Source(pageRows: 2);
        var table = remote.Describe(["v"]);
        var expected = Read(local, local.Describe(["v"]));
        var actual = Read(remote, table);
        for (var i = 0; i < expected.Count; i++)
        {
            var at = Enumerable.Range(0, Math.Min(expected[i].Length, actual[i].Length)).FirstOrDefault(c => expected[i][c] != actual[i][c], -1);
            if (at >= 0) Assert.Fail($"line {i} differs at {at}: expected …{expected[i].Substring(Math.Max(0, at - 60), Math.Min(120, expected[i].Length - Math.Max(0, at - 60)))}… actual …{actual[i].Substring(Math.Max(0, at - 60), Math.Min(120, actual[i].Length - Math.Max(0, at - 60)))}…");
        }
        Assert.Equal(expected, actual);
        Assert.Contains(expected, l => l.Contains("Int64:9223372036854775807", StringComparison.Ordinal) && l.Contains("real:0.1", StringComparison.Ordinal));
        var big = remote.Export(table[0]).Single(r => Equals(r.GetValue("id"), 6L));
        Assert.Equal(1_500_000, ((string)big.GetValue("t")!).Length);
    }

    [Fact]
    public void A_table_changed_while_it_is_read_is_reported_with_its_counts()
    {
        Remote("CREATE TABLE events (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50) INSERT INTO events SELECT i, 'e' || i FROM s");
        using var remote = Source(pageRows: 10);
        var warnings = new List<string>();
        remote.Warning += warnings.Add;
        var table = remote.Describe(["events"])[0];
        var read = 0;
        foreach (var _ in remote.Export(table))
            if (++read == 1) Remote("INSERT INTO events VALUES (1000, 'late'); DELETE FROM events WHERE id IN (40, 41)");
        Assert.Equal(49, read); // the row written after the read began is seen (its key comes later), the deleted ones are not
        var warning = Assert.Single(warnings);
        Assert.Contains("Table events changed while it was read", warning, StringComparison.Ordinal);
        Assert.Contains("50 rows before, 49 after, 49 read", warning, StringComparison.Ordinal);

        // Read again while nothing writes: no warning.
        warnings.Clear();
        Assert.Equal(49, remote.Export(table).Count());
        Assert.Empty(warnings);
    }

    [Fact]
    public void Faults_during_the_read_429_500_reset_and_a_slow_answer_leave_the_rows_identical()
    {
        var file = Both(PagingTables + IgnitionForRemote.Replace("CREATE TABLE users", "CREATE TABLE app_users", StringComparison.Ordinal)
            .Replace("REFERENCES users(id)", "REFERENCES app_users(id)", StringComparison.Ordinal).Replace("INSERT INTO users", "INSERT INTO app_users", StringComparison.Ordinal));
        using var local = new SqliteFileSource(file);
        var tables = local.DescribeAll(PgTableSelection.All, out _);
        var expected = Read(local, tables);

        // The client gives up on an answer after 2 s; the slow fault answers after 3 s.
        using var faulty = Fast(Server, TimeSpan.FromSeconds(2));
        using var remote = Source(pageRows: 3, api: faulty);
        var remoteTables = remote.DescribeAll(PgTableSelection.All, out _);
        Server.SetFaults(new
        {
            seed = 12,
            rules = new object[]
            {
                new { kind = "rate_limit", route = "raw", rate = 0.05, retry_after = 1 },
                new { kind = "internal_error", route = "raw", rate = 0.05 },
                new { kind = "reset_after_commit", route = "raw", rate = 0.05 },
                new { kind = "reset_after_commit", route = "raw", rate = 0.02, mode = "503" },
                new { kind = "slow", route = "raw", count = 1, skip = 10, delay_ms = 3000 },
            },
        });
        List<string> actual;
        try { actual = Read(remote, remoteTables); }
        finally
        {
            var fired = Server.FiredFaults();
            Server.ClearFaults();
            Assert.All(new[] { "rate_limit", "internal_error", "reset_after_commit", "slow" }, kind => Assert.Contains(kind, fired));
        }
        Assert.Equal(expected, actual);
    }
}
