using System.Globalization;
using Microsoft.Data.Sqlite;
using Migration.Engine.Convert;
using Migration.Engine.Integrity;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Xunit;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Integrity;

/// <summary>
/// The proof: a fixture database is migrated with the engine (PgExporter -> RowConverter ->
/// SqliteTarget) into a target whose DDL the test writes by hand (renamed tables and a column,
/// an excluded column, indexes under other names, unique keys, a foreign key, and one table
/// without a primary key so a duplicate can exist). Each test then tampers with the copy in one
/// way and asserts that exactly the right checks fail, naming the right key and column.
/// Sample covers every row (SampleSize above the row counts), so it is deterministic.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class IntegrityCheckerTests : IClassFixture<IntegrityCheckerTests.Source>, IDisposable
{
    /// <summary>One source database for the class; the tests only read it.</summary>
    public sealed class Source
    {
        public Source()
        {
            var pg = new PgCluster();
            Database = pg.CreateDatabase("integrity");
            pg.Execute(Database, """
                CREATE TYPE mood AS ENUM ('happy', 'sad');
                CREATE TABLE auth_user (
                    id serial PRIMARY KEY,
                    username varchar(150) NOT NULL UNIQUE,
                    password varchar(128) NOT NULL,
                    email varchar(254),
                    is_staff boolean NOT NULL,
                    mood mood,
                    score double precision,
                    balance numeric(10,2),
                    joined timestamptz NOT NULL,
                    notes text,
                    bio text);
                CREATE INDEX auth_user_email_idx ON auth_user (email);
                INSERT INTO auth_user (username, password, email, is_staff, mood, score, balance, joined, notes, bio)
                SELECT 'user' || g, 'pbkdf2$' || md5(g::text), 'u' || g || '@example.org', g % 3 = 0,
                       CASE g % 3 WHEN 0 THEN 'happy' WHEN 1 THEN 'sad' END::mood,
                       g / 3.0, g * 1.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day 1 hour 1.123456 s',
                       CASE WHEN g % 5 = 0 THEN 'line one' || chr(13) || chr(10) || 'line two' ELSE 'note ' || g END,
                       CASE WHEN g % 2 = 1 THEN NULL ELSE 'bio ' || g END
                  FROM generate_series(1, 30) g;

                CREATE TABLE savedfile (
                    id bigserial PRIMARY KEY,
                    user_id int NOT NULL REFERENCES auth_user (id),
                    file_id varchar(255) UNIQUE,
                    tags text[],
                    metadata jsonb,
                    uploaded_at timestamptz);
                CREATE INDEX savedfile_user_idx ON savedfile (user_id);
                INSERT INTO savedfile (user_id, file_id, tags, metadata, uploaded_at)
                SELECT 1 + g % 30, 'f-' || g, ARRAY['t' || g, 'x,y', NULL],
                       jsonb_build_object('size', g * 10, 'name', 'file "' || g || '"'),
                       timestamptz '2024-06-01 12:00:00+00' + g * interval '1 minute'
                  FROM generate_series(1, 40) g;

                CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL, payload json);
                INSERT INTO events SELECT g, 'kind' || (g % 4), ('{"n": ' || g || '}')::json FROM generate_series(1, 20) g;
                """);
        }

        public string Database { get; }
    }

    static readonly string[] Tables = ["auth_user", "savedfile", "events"];

    static readonly ConversionOptions Mapping = new()
    {
        TableMap = new Dictionary<string, string> { ["auth_user"] = "users", ["savedfile"] = "saved_files", ["events"] = "events_log" },
        ColumnMap = new Dictionary<string, string> { ["auth_user.email"] = "mail" },
        Exclude = ["auth_user.password"],
    };

    const string TargetDdl = """
        CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, mail TEXT, is_staff INTEGER NOT NULL,
                            mood TEXT, score REAL, balance REAL, joined TEXT NOT NULL, notes TEXT, bio TEXT);
        CREATE INDEX users_by_mail ON users (mail);
        CREATE TABLE saved_files (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
                                  file_id TEXT UNIQUE, tags TEXT, metadata TEXT, uploaded_at TEXT);
        CREATE INDEX saved_files_by_user ON saved_files (user_id);
        -- Hand-written without its primary key: a duplicated row can exist here.
        CREATE TABLE events_log (id INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT);
        """;

    readonly string _pg;
    readonly string _dir = Directory.CreateTempSubdirectory("integrity-e2e-").FullName;
    readonly string _path;

    public IntegrityCheckerTests(Source source)
    {
        _pg = source.Database;
        _path = Path.Combine(_dir, "app.d1.sqlite");
        Exec(TargetDdl);
        Migrate();
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    void Migrate()
    {
        var errors = new List<string>();
        using var exporter = new PgExporter(new PgConnectionSettings(_pg));
        var converter = new RowConverter(Mapping);
        using (var target = SqliteTarget.Open(_path, new ImportOptions()))
        {
            target.RowFailed += e => errors.Add(e.ToString());
            foreach (var table in exporter.Describe(Tables))
                foreach (var row in exporter.Export(table))
                    target.Add(converter.Convert(row));
            target.Complete();
        }
        Assert.Empty(errors);
    }

    /// <summary>Tampers through a connection that does not enforce foreign keys (as a careless loader might).</summary>
    void Exec(string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, ForeignKeys = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    List<IntegrityResult> Check(IntegrityCheck checks = IntegrityCheck.All, string[]? tables = null, List<IntegrityCheckException>? errors = null)
    {
        var checker = new IntegrityChecker(new PgConnectionSettings(_pg), _path,
            new IntegrityOptions { Conversion = Mapping, Checks = checks, SampleSize = 1000, SampleSeed = 7, MaxDifferences = 10 });
        return errors is null ? [.. checker.Run(tables ?? Tables)] : [.. checker.Run(tables ?? Tables, errors.Add)];
    }

    /// <summary>Asserts that exactly these (table, check) pairs failed and every other result passed.</summary>
    static void AssertFailing(List<IntegrityResult> results, params (string Table, IntegrityCheck Check)[] expected)
    {
        Assert.Equal(3 * 8, results.Count);
        var failing = results.Where(r => !r.Passed).Select(r => (r.Table, Check: r.Kind)).OrderBy(x => x.Table, StringComparer.Ordinal).ThenBy(x => x.Check).ToList();
        var want = expected.OrderBy(x => x.Table, StringComparer.Ordinal).ThenBy(x => x.Check).ToList();
        Assert.True(want.SequenceEqual(failing),
            "failing: " + string.Join("; ", results.Where(r => !r.Passed).Select(r => $"{r} {string.Join(" | ", r.Differences)}")));
    }

    static IntegrityDifference Only(List<IntegrityResult> results, string table, IntegrityCheck check) =>
        Assert.Single(results.Single(r => r.Table == table && r.Kind == check).Differences);

    /// <summary>The value change a content check must report: the key, the column and both values.</summary>
    static void AssertChanged(List<IntegrityResult> results, string table, string key, string column, string source, string target)
    {
        foreach (var check in new[] { IntegrityCheck.Checksum, IntegrityCheck.Sample })
        {
            var d = Only(results, table, check);
            Assert.Equal((key, column, source, target), (d.Key, d.Column, d.SourceValue, d.TargetValue));
        }
    }

    [Fact]
    public void An_untampered_migration_passes_every_check()
    {
        var results = Check();
        AssertFailing(results);
        var count = results.Single(r => r is { Table: "users", Kind: IntegrityCheck.RowCount });
        Assert.Equal(("30", "30"), (count.Expected, count.Actual));
        var sum = results.Single(r => r is { Table: "saved_files", Kind: IntegrityCheck.Checksum });
        Assert.Equal(sum.Expected, sum.Actual);
        // Expected indexes: the source's non-key indexes (username unique, email), found under other names.
        Assert.Equal("10 columns, 2 indexes", results.Single(r => r is { Table: "users", Kind: IntegrityCheck.Schema }).Actual);
        Assert.Equal("3 columns, 0 indexes", results.Single(r => r is { Table: "events_log", Kind: IntegrityCheck.Schema }).Actual);
    }

    [Fact]
    public void A_changed_value_fails_checksum_and_sample_naming_key_and_column()
    {
        Exec("UPDATE users SET mail = 'someone@else.org' WHERE id = 7");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample));
        AssertChanged(results, "users", "id=7", "mail", "'u7@example.org'", "'someone@else.org'");
    }

    [Fact]
    public void A_null_turned_into_empty_text_is_found()
    {
        Exec("UPDATE users SET bio = '' WHERE id = 3");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample));
        AssertChanged(results, "users", "id=3", "bio", "NULL", "''");
    }

    [Fact]
    public void A_removed_carriage_return_is_found()
    {
        Exec("UPDATE users SET notes = replace(notes, char(13), '') WHERE id = 5");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample));
        AssertChanged(results, "users", "id=5", "notes", "'line one\\r\\nline two'", "'line one\\nline two'");
    }

    [Fact]
    public void A_rounded_real_is_found()
    {
        Exec("UPDATE users SET score = round(score, 3) WHERE id = 4");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample));
        AssertChanged(results, "users", "id=4", "score", (4 / 3.0).ToString("R", CultureInfo.InvariantCulture), "1.333");
    }

    [Fact]
    public void A_timestamp_shifted_by_an_hour_is_found()
    {
        string before;
        using (var db = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT joined FROM users WHERE id = 6";
            before = (string)cmd.ExecuteScalar()!;
        }
        var shifted = DateTime.ParseExact(before, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture).AddHours(1)
            .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        Exec($"UPDATE users SET joined = '{shifted}' WHERE id = 6");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample));
        AssertChanged(results, "users", "id=6", "joined", $"'{before}'", $"'{shifted}'");
    }

    [Fact]
    public void A_deleted_row_fails_count_checksum_and_sample()
    {
        Exec("DELETE FROM saved_files WHERE id = 9");
        var results = Check();
        AssertFailing(results, ("saved_files", IntegrityCheck.RowCount), ("saved_files", IntegrityCheck.Checksum), ("saved_files", IntegrityCheck.Sample));
        foreach (var check in new[] { IntegrityCheck.Checksum, IntegrityCheck.Sample })
        {
            var d = Only(results, "saved_files", check);
            Assert.Equal(("id=9", null, "1 row", "no row"), (d.Key, d.Column, d.SourceValue, d.TargetValue));
        }
    }

    [Fact]
    public void A_duplicated_row_fails_count_checksum_sample_and_unique()
    {
        Exec("INSERT INTO events_log SELECT * FROM events_log WHERE id = 2");
        var results = Check();
        AssertFailing(results, ("events_log", IntegrityCheck.RowCount), ("events_log", IntegrityCheck.Checksum),
            ("events_log", IntegrityCheck.Sample), ("events_log", IntegrityCheck.Unique));
        Assert.Equal(("id=2", "1 row", "2 rows"), Only(results, "events_log", IntegrityCheck.Checksum) is var c ? (c.Key, c.SourceValue, c.TargetValue) : default);
        Assert.Equal(("id=2", "id", "2 rows"), Only(results, "events_log", IntegrityCheck.Unique) is var u ? (u.Key, u.Column, u.TargetValue) : default);
        Assert.Equal("id=2", Only(results, "events_log", IntegrityCheck.Sample).Key);
    }

    [Fact]
    public void An_extra_row_fails_count_and_checksum()
    {
        Exec("INSERT INTO saved_files VALUES (1000, 1, 'f-extra', '[]', '{}', NULL)");
        var results = Check();
        AssertFailing(results, ("saved_files", IntegrityCheck.RowCount), ("saved_files", IntegrityCheck.Checksum));
        var d = Only(results, "saved_files", IntegrityCheck.Checksum);
        Assert.Equal(("id=1000", "no row", "1 row"), (d.Key, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void An_orphaned_child_fails_foreign_keys()
    {
        Exec("UPDATE saved_files SET user_id = 999 WHERE id = 3");
        var results = Check();
        AssertFailing(results, ("saved_files", IntegrityCheck.Checksum), ("saved_files", IntegrityCheck.Sample), ("saved_files", IntegrityCheck.ForeignKeys));
        var fk = Only(results, "saved_files", IntegrityCheck.ForeignKeys);
        Assert.Equal(("id=3", "user_id", "999 (no parent)"), (fk.Key, fk.Column, fk.TargetValue));
        AssertChanged(results, "saved_files", "id=3", "user_id", "4", "999");
    }

    [Fact]
    public void Invalid_json_fails_json()
    {
        Exec("UPDATE saved_files SET metadata = '{\"size\": 20,' WHERE id = 2");
        var results = Check();
        AssertFailing(results, ("saved_files", IntegrityCheck.Checksum), ("saved_files", IntegrityCheck.Sample), ("saved_files", IntegrityCheck.Json));
        var d = Only(results, "saved_files", IntegrityCheck.Json);
        Assert.Equal(("id=2", "metadata", "'{\"size\": 20,'"), (d.Key, d.Column, d.TargetValue));
    }

    [Fact]
    public void A_boolean_2_fails_domain()
    {
        Exec("UPDATE users SET is_staff = 2 WHERE id = 8");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample), ("users", IntegrityCheck.Domain));
        var d = Only(results, "users", IntegrityCheck.Domain);
        Assert.Equal(("id=8", "is_staff", "0 or 1", "2"), (d.Key, d.Column, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void An_enum_value_outside_its_labels_fails_domain()
    {
        Exec("UPDATE users SET mood = 'angry' WHERE id = 9");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Checksum), ("users", IntegrityCheck.Sample), ("users", IntegrityCheck.Domain));
        var d = Only(results, "users", IntegrityCheck.Domain);
        Assert.Equal(("id=9", "mood", "one of happy|sad", "'angry'"), (d.Key, d.Column, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void A_dropped_index_fails_schema_only()
    {
        Exec("DROP INDEX users_by_mail");
        var results = Check();
        AssertFailing(results, ("users", IntegrityCheck.Schema));
        var d = Only(results, "users", IntegrityCheck.Schema);
        Assert.Equal(("index auth_user_email_idx", "mail", "missing"), (d.Key, d.Column, d.TargetValue));
    }

    [Fact]
    public void A_subset_of_tables_and_checks_can_be_run()
    {
        var results = Check(IntegrityCheck.RowCount | IntegrityCheck.ForeignKeys, ["savedfile"]);
        Assert.Equal([("saved_files", IntegrityCheck.RowCount), ("saved_files", IntegrityCheck.ForeignKeys)], results.Select(r => (r.Table, r.Kind)));
        Assert.All(results, r => Assert.True(r.Passed));
    }

    [Fact]
    public void A_missing_target_table_fails_schema_and_reports_the_other_checks_as_errors()
    {
        Exec("DROP TABLE events_log");
        var errors = new List<IntegrityCheckException>();
        var results = Check(tables: ["events"], errors: errors);
        var schema = Assert.Single(results);
        Assert.Equal(("events_log", IntegrityCheck.Schema, false), (schema.Table, schema.Kind, schema.Passed));
        var e = Assert.Single(errors);
        Assert.Equal("events_log", e.Table);
        Assert.Equal(IntegrityCheck.All & ~IntegrityCheck.Schema, e.Check);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);

        // Without an error callback the check that cannot run throws.
        var ex = Assert.Throws<IntegrityCheckException>(() => Check(IntegrityCheck.RowCount, ["events"]));
        Assert.Equal("events_log", ex.Table);
    }
}
