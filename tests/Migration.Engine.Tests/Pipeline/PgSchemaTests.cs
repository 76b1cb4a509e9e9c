using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Integrity;
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
/// Export-PgSchema's engine against a real Postgres: the DDL generated from a D1 file applies to
/// an empty database, the D1 -> PostgreSQL pipeline (PgRowConverter + MigrationSession over
/// PgDatabase, as ConvertTo-PgRow | Import-PgTable) loads into it, and the reverse integrity
/// check passes; keys, uniques, indexes, foreign keys with their actions, defaults and identities
/// are what Postgres's catalog then says; the PG -> D1 -> DDL -> PG round trip of the fidelity
/// corpus gives the documented types and the same values.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class PgSchemaTests(PgCluster pg) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pgschema-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The scenario-2 D1 file, the fixture every Ignition test uses (tests/fixtures/ignition/d1.sql).</summary>
    static string Ignition => File.ReadAllText(Path.Combine(WranglerLocalD1.RepositoryRoot(), "tests", "fixtures", "ignition", "d1.sql"));

    /// <summary>Scenario 2's renames, as the README's pipeline gives them (snake_case, user_wallet merged into user_progress).</summary>
    static readonly PgConversionOptions IgnitionRenames = new()
    {
        ColumnNaming = ColumnNaming.SnakeCase,
        TableMap = new Dictionary<string, string> { ["user_wallet"] = "user_progress" },
        ColumnMap = new Dictionary<string, string> { ["user_wallet.xp"] = "total_xp", ["user_wallet.level"] = "current_level" },
    };

    string D1(string name, string sql)
    {
        var file = Path.Combine(_dir, name + ".sqlite");
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA foreign_keys = off; " + sql;
        cmd.ExecuteNonQuery();
        return file;
    }

    static PgSchema Build(string file, PgSchemaOptions options, string[]? exclude = null)
    {
        using var source = new SqliteFileSource(file);
        var tables = source.DescribeAll(new PgTableSelection(ExcludeTables: exclude), out _);
        return PgSchemaBuilder.Build(source, tables, options);
    }

    static void Apply(string cs, IEnumerable<PgSchemaStatement> statements)
    {
        using var c = new NpgsqlConnection(cs);
        c.Open();
        using var tx = c.BeginTransaction();
        foreach (var s in statements)
        {
            using var cmd = new NpgsqlCommand(s.Sql, c, tx);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    static List<string> Column(string cs, string sql)
    {
        using var c = new NpgsqlConnection(cs);
        c.Open();
        using var cmd = new NpgsqlCommand("SET TimeZone = 'UTC'; " + sql, c);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        do { while (r.Read()) list.Add(r.IsDBNull(0) ? "NULL" : r.GetValue(0).ToString()!); } while (r.NextResult());
        return list;
    }

    static Dictionary<string, string> Types(string cs, string table) =>
        Column(cs, $"SELECT attname || '=' || format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
            .Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    sealed class Watch : IMigrationObserver
    {
        public List<RowError> Errors { get; } = [];
        public List<OrphanRow> Orphans { get; } = [];
        public void RowFailed(RowError error) => Errors.Add(error);
        public void OrphanFound(OrphanRow orphan) => Orphans.Add(orphan);
    }

    /// <summary>D1 file -> Postgres as Export-D1Table | ConvertTo-PgRow | Import-PgTable do it; returns the conversion errors.</summary>
    static List<ConversionException> Load(string file, string cs, PgConversionOptions conversion, PgTargetOptions target, Watch watch, string[]? exclude = null)
    {
        IReadOnlyList<TableSchema> catalog;
        using (var exporter = new PgExporter(new PgConnectionSettings(cs))) catalog = exporter.DescribeAll(PgTableSelection.All, out _);
        var converter = new PgRowConverter(conversion, catalog);
        var errors = new List<ConversionException>();
        using var source = new SqliteFileSource(file);
        using var session = new MigrationSession(new PgDatabase(new PgConnectionSettings(cs), target), new SessionOptions { Source = "test" }, watch);
        Assert.True(session.Start());
        var tables = source.DescribeAll(new PgTableSelection(ExcludeTables: exclude), out _);
        var order = new TargetLoadOrder(tables, converter.TargetTableFor);
        void Add(Row r) => session.Add(r);
        foreach (var table in tables)
            foreach (var row in source.Export(table))
            {
                Row converted;
                try { converted = converter.Convert(row); }
                catch (ConversionException ex) { errors.Add(ex); continue; }
                if (order.PassesThrough(table.Name)) Add(converted);
                else foreach (var r in order.Accept(table.Name, converted)) Add(r);
            }
        foreach (var r in order.Drain()) Add(r);
        session.Complete();
        return errors;
    }

    [Fact]
    public void The_Ignition_schema_applies_to_an_empty_database_the_pipeline_loads_into_it_and_the_reverse_integrity_check_passes()
    {
        var file = D1("ignition", Ignition);
        var conversion = IgnitionRenames;
        var schema = Build(file, new PgSchemaOptions { Conversion = conversion, IdMap = true }, ["sessions"]);
        var cs = pg.CreateDatabase("pgschema_ign");
        Apply(cs, schema.Statements);

        // The renames are ConvertTo-PgRow's, the id key and its foreign keys uuid (-IdMap), the rowid keys identities.
        var created = schema.Statements.Where(s => s.Kind == "Table").Select(s => s.Table).ToList();
        Assert.Equal("users", created[0]); // the parent first
        Assert.Equal(["accounts", "achievements", "user_progress", "users"], created.Order(StringComparer.Ordinal));
        Assert.True(schema.Statements.ToList().FindLastIndex(s => s.Kind == "Table") < schema.Statements.ToList().FindIndex(s => s.Kind == "ForeignKey"));
        var users = Types(cs, "users");
        Assert.Equal("uuid", users["id"]);
        Assert.Equal("bigint", users["email_verified"]);
        Assert.Equal("bigint", users["is_admin"]);          // 0/1/2: no flag
        Assert.Equal("timestamp with time zone", users["created_at"]);
        Assert.Equal("text", users["profile"]);             // one value is not JSON: stays text
        var accounts = Types(cs, "accounts");
        Assert.Equal("bigint", accounts["id"]);
        Assert.Equal("uuid", accounts["user_id"]);
        Assert.Equal("bigint", accounts["last_login"]);
        Assert.Equal("jsonb", accounts["settings"]);
        var progress = Types(cs, "user_progress");
        Assert.Equal(["user_id", "streak_days", "updated_at", "total_xp", "current_level"], progress.Keys);
        Assert.Equal("timestamp with time zone", progress["updated_at"]);
        var achievements = Types(cs, "achievements");
        Assert.Equal("jsonb", achievements["tags"]);
        Assert.Equal("double precision", achievements["score"]);
        Assert.Equal(["YES"], Column(cs, "SELECT is_identity FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'id'"));
        Assert.Equal(["NO"], Column(cs, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'user_progress' AND column_name = 'user_id'"));
        Assert.Equal(["YES"], Column(cs, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'user_progress' AND column_name = 'total_xp'"));
        Assert.Equal(["0"], Column(cs, "SELECT column_default FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email_verified'"));
        Assert.Equal(3, Column(cs, "SELECT conname FROM pg_constraint WHERE contype = 'f'").Count); // accounts, achievements, user_progress (user_wallet's key merged into the same one)
        // The decisions the data made are warnings the user can review.
        Assert.Contains(schema.Warnings, w => w.Table == "users" && w.Name == "created_at" && w.Reason.Contains("decided from the data"));
        Assert.Contains(schema.Warnings, w => w.Table == "user_progress" && w.Reason.Contains("NOT NULL dropped"));
        Assert.Contains(schema.Warnings, w => w.Table == "users" && w.Name == "email_verified" && w.Reason.Contains("0 or 1"));

        var watch = new Watch();
        var errors = Load(file, cs, conversion, new PgTargetOptions { BatchSize = 2, IdMap = IdMapMode.Generate, OrphanPolicy = OrphanPolicy.Skip }, watch, ["sessions"]);
        // Only the orphans (u_ghost's account and wallet) are refused; every value converts into the generated types.
        Assert.Empty(errors);
        Assert.Empty(watch.Errors);
        Assert.Equal(2, watch.Orphans.Count);
        Assert.Equal(["5", "4", "3", "3"], Column(cs, "SELECT count(*) FROM users; SELECT count(*) FROM accounts; SELECT count(*) FROM user_progress; SELECT count(*) FROM achievements"));
        Assert.Equal(["{bad json"], Column(cs, "SELECT profile FROM users WHERE email = 'dave@example.com'"));

        var results = new D1ToPgIntegrityChecker(file, new PgConnectionSettings(cs), null, new IntegrityOptions()).Check(null).ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Table} {r.Check}: {r.Details}"));

        // After the load: the identity sequences go past the largest id.
        Apply(cs, schema.AfterLoad);
        Assert.Equal(["6"], Column(cs, "INSERT INTO accounts (user_id, provider) SELECT id, 'new' FROM users LIMIT 1 RETURNING id"));
    }

    [Fact]
    public void A_computed_column_is_declared_with_its_type_in_place_of_the_D1_column_and_the_pipeline_fills_it()
    {
        var file = D1("ignition_computed", Ignition);
        var conversion = new PgConversionOptions
        {
            ColumnNaming = IgnitionRenames.ColumnNaming,
            TableMap = IgnitionRenames.TableMap,
            ColumnMap = IgnitionRenames.ColumnMap,
            Computed = [new ComputedColumn("users", "email_verified", D1Type.Text, r => Equals(r.GetValue("emailVerified"), 1L) ? r.GetValue("created_at") : null),
                        new ComputedColumn("users", "display_name", D1Type.Text, r => $"{r.GetValue("name")} <{r.GetValue("email")}>")],
        };
        var computed = new Dictionary<string, string> { ["users.email_verified"] = "timestamptz", ["users.display_name"] = "text" };
        var schema = Build(file, new PgSchemaOptions { Conversion = conversion, IdMap = true, ComputedColumnTypes = computed }, ["sessions"]);
        var cs = pg.CreateDatabase("pgschema_computed");
        Apply(cs, schema.Statements);

        // email_verified replaces emailVerified (same name under SnakeCase) at its place; display_name is added at the end.
        var users = Types(cs, "users");
        Assert.Equal(["id", "email", "name", "email_verified", "is_admin", "created_at", "profile", "display_name"], users.Keys);
        Assert.Equal("timestamp with time zone", users["email_verified"]);
        Assert.Equal("text", users["display_name"]);
        Assert.Equal(["YES", "YES"], Column(cs, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'users' AND column_name IN ('email_verified', 'display_name') ORDER BY column_name"));
        // The D1 column's default (0) and its 0/1 warning are gone with it: the load computes the value.
        Assert.Equal(["NULL"], Column(cs, "SELECT column_default FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email_verified'"));
        Assert.DoesNotContain(schema.Warnings, w => w.Table == "users" && w.Name == "email_verified");

        var watch = new Watch();
        var errors = Load(file, cs, conversion, new PgTargetOptions { BatchSize = 2, IdMap = IdMapMode.Generate, OrphanPolicy = OrphanPolicy.Skip }, watch, ["sessions"]);
        Assert.Empty(errors);
        Assert.Empty(watch.Errors);
        Assert.Equal(["ann@example.com 2024-01-15 10:30:00+00 Ann <ann@example.com>", "alice@example.com NULL Alice <alice@example.com>", "bob@example.com 2024-03-05 10:00:00.123+00 Bob ü <bob@example.com>"],
            Column(cs, "SELECT email || ' ' || coalesce(email_verified::text, 'NULL') || ' ' || display_name FROM users WHERE email IN ('ann@example.com', 'alice@example.com', 'bob@example.com') ORDER BY created_at"));
    }

    [Theory]
    [InlineData("usres.email_verified", "timestamptz", "-ComputedColumn: no D1 table \"usres\" (in \"usres.email_verified\") among the tables exported (did you mean users?)")]
    [InlineData("users.email_verified", "timestampz", "-ComputedColumn \"users.email_verified\"")]
    [InlineData("email_verified", "timestamptz", "-ComputedColumn key \"email_verified\" must be 'table.column'")]
    public void A_computed_column_that_names_no_table_or_no_type_is_an_error(string key, string type, string message)
    {
        var file = D1("ignition_computed_bad", Ignition);
        var ex = Assert.Throws<MappingException>(() => Build(file, new PgSchemaOptions { ComputedColumnTypes = new Dictionary<string, string> { [key] = type } }, ["sessions"]));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_uniques_indexes_foreign_key_actions_defaults_and_identities_are_what_the_catalog_then_says()
    {
        var file = D1("shapes", """
            CREATE TABLE "Parent Table" (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, "we""ird" TEXT DEFAULT 'it''s', created TEXT DEFAULT CURRENT_TIMESTAMP,
              status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'old')), flag BOOLEAN DEFAULT 1, price NUMERIC(8,2) DEFAULT 0, stamp TEXT DEFAULT (datetime('now')));
            CREATE TABLE child (a INTEGER NOT NULL, b TEXT NOT NULL, parent_id INTEGER REFERENCES "Parent Table"(id) ON DELETE CASCADE, code TEXT REFERENCES "Parent Table"(code) ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
              note TEXT COLLATE NOCASE, PRIMARY KEY (a, b), UNIQUE (parent_id, note));
            CREATE INDEX child_note ON child (note DESC, a);
            CREATE UNIQUE INDEX child_code ON child (code);
            CREATE INDEX child_partial ON child (a) WHERE a > 0;
            CREATE INDEX child_expr ON child (lower(b));
            CREATE TABLE self (id INTEGER PRIMARY KEY, up INTEGER REFERENCES self(id), other INTEGER REFERENCES nowhere(id));
            INSERT INTO "Parent Table" (id, code, price) VALUES (1, 'p1', 12.5), (7, 'p7', 3);
            INSERT INTO child VALUES (1, 'x', 1, 'p1', 'n'), (2, 'y', 7, NULL, NULL);
            INSERT INTO self VALUES (1, NULL, NULL), (2, 1, NULL);
            """);
        var schema = Build(file, new PgSchemaOptions());
        var cs = pg.CreateDatabase("pgschema_shapes");
        Apply(cs, schema.Statements);

        Assert.Equal(["PRIMARY KEY (id)", "UNIQUE (code)"], Column(cs, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '\"Parent Table\"'::regclass ORDER BY contype, conname"));
        var child = Column(cs, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'child'::regclass ORDER BY pg_get_constraintdef(oid)");
        Assert.Contains("FOREIGN KEY (parent_id) REFERENCES \"Parent Table\"(id) ON DELETE CASCADE", child);
        Assert.Contains("FOREIGN KEY (code) REFERENCES \"Parent Table\"(code) ON UPDATE SET NULL", child);
        Assert.Contains("PRIMARY KEY (a, b)", child);
        Assert.Contains("UNIQUE (parent_id, note)", child);
        Assert.Contains("FOREIGN KEY (up) REFERENCES self(id)", Column(cs, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'self'::regclass"));
        var indexes = Column(cs, "SELECT indexdef FROM pg_indexes WHERE tablename = 'child' AND indexname IN ('child_note', 'child_code') ORDER BY indexname");
        Assert.Equal(["CREATE UNIQUE INDEX child_code ON public.child USING btree (code)", "CREATE INDEX child_note ON public.child USING btree (note DESC, a)"], indexes);
        var defaults = Column(cs, "SELECT column_name || ' ' || coalesce(column_default, '-') FROM information_schema.columns WHERE table_name = 'Parent Table' ORDER BY ordinal_position");
        Assert.Equal(["id -", "code -", "we\"ird 'it''s'::text", "created CURRENT_TIMESTAMP", "status 'new'::text", "flag true", "price 0", "stamp -"], defaults);
        Assert.Contains(schema.Warnings, w => w.Name == "created" && w.Reason.Contains("are timestamps")); // its values came from the default
        Assert.Equal(["numeric(8,2)"], Column(cs, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"Parent Table\"'::regclass AND attname = 'price'"));
        Assert.Equal(["YES", "YES"], Column(cs, "SELECT is_identity FROM information_schema.columns WHERE column_name = 'id' AND table_name IN ('Parent Table', 'self') ORDER BY table_name"));

        // What is not carried is said, object by object.
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "Default" && w.Name == "stamp" && w.Reason.Contains("SQLite expression"));
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "Check" && w.Table == "Parent Table");
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "Index" && w.Name == "child_partial" && w.Reason.Contains("partial"));
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "Index" && w.Name == "child_expr" && w.Reason.Contains("expression"));
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "Unique" && w.Reason.Contains("NOCASE"));
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "ForeignKey" && w.Name.Contains("nowhere") && w.Reason.Contains("not among the tables"));
        Assert.Contains(schema.Warnings, w => w.ObjectKind == "ForeignKey" && w.Table == "child" && w.Reason.Contains("NOT DEFERRABLE"));
        Assert.DoesNotContain(schema.Warnings, w => w.Table == "Parent Table" && w.Reason.Contains("DEFERRABLE"));

        // The D1 ids load as they are, and -AfterLoad moves the sequence past the largest (7, not 2).
        var watch = new Watch();
        Assert.Empty(Load(file, cs, PgConversionOptions.Default, new PgTargetOptions(), watch));
        Assert.Empty(watch.Errors);
        Apply(cs, schema.AfterLoad);
        Assert.Equal(["8"], Column(cs, "INSERT INTO \"Parent Table\" (code) VALUES ('p8') RETURNING id"));
        Assert.Equal(["3"], Column(cs, "INSERT INTO self (up) VALUES (2) RETURNING id"));
    }

    [Fact]
    public void The_data_decides_ambiguous_types_widens_what_the_declared_type_cannot_take_and_says_so_each_time()
    {
        var file = D1("ambiguous", """
            CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT, ts TEXT, d TEXT, j TEXT, s TEXT, flag INTEGER, ratio INTEGER, small TINYINT, anything, mixed INTEGER);
            INSERT INTO t VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-15T10:30:00Z', '2024-01-15', '{"a":1}', 'x', 0, 1, 1, 5, 1),
                                 (2, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12', '2024-02-01 08:00:00', '2024-02-29', '[1,2]', '{"a":1}', 1, 2.5, 40000, 6, 'text'),
                                 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, X'00');
            """);
        var full = Build(file, new PgSchemaOptions());
        var cs = pg.CreateDatabase("pgschema_amb");
        Apply(cs, full.Statements);
        var types = Types(cs, "t");
        Assert.Equal("uuid", types["u"]);
        Assert.Equal("timestamp with time zone", types["ts"]);
        Assert.Equal("date", types["d"]);
        Assert.Equal("jsonb", types["j"]);
        Assert.Equal("text", types["s"]);
        Assert.Equal("bigint", types["flag"]);
        Assert.Equal("double precision", types["ratio"]);
        Assert.Equal("integer", types["small"]);
        Assert.Equal("bigint", types["anything"]);  // no declared type, integers only
        Assert.Equal("bigint", types["mixed"]);     // INTEGER, TEXT and BLOB: no type takes them all
        string Reason(string column) => Assert.Single(full.Warnings, w => w.Name == column && w.ObjectKind == "Column" && !w.Reason.StartsWith("D1 column", StringComparison.Ordinal)).Reason;
        Assert.Contains("decided from the data", Reason("u"));
        Assert.Contains("are UUIDs", Reason("u"));
        Assert.Contains("are dates", Reason("d"));
        Assert.Contains("are timestamps", Reason("ts"));
        Assert.Contains("JSON objects or arrays", Reason("j"));
        Assert.Contains("'boolean'", Reason("flag"));
        Assert.Contains("widened from bigint", Reason("ratio"));
        Assert.Contains("row id=2: 2.5", Reason("ratio"));
        Assert.Contains("widened from smallint", Reason("small"));
        Assert.Contains("no wider type takes them all", Reason("mixed"));
        Assert.Contains(full.Warnings, w => w.Name == "anything" && w.Reason.Contains("declares no type"));
        Assert.Contains("are integers", Reason("anything"));

        // The user's type wins; without reading, the declared types (pgloader's way) and no data warnings.
        var given = Build(file, new PgSchemaOptions { ColumnTypes = new Dictionary<string, string> { ["t.flag"] = "boolean", ["t.u"] = "text" } });
        Assert.Contains("\"flag\" boolean", given.Statements[0].Sql);
        Assert.Contains("\"u\" text", given.Statements[0].Sql);
        // A column of no declared type that the user typed or computes is not "declared no type: text" any more.
        static bool Untyped(SchemaWarning w) => w.Name == "anything" && w.Reason.Contains("declares no type", StringComparison.Ordinal);
        Assert.DoesNotContain(Build(file, new PgSchemaOptions { ColumnTypes = new Dictionary<string, string> { ["t.anything"] = "numeric" } }).Warnings, Untyped);
        var computed = Build(file, new PgSchemaOptions { ComputedColumnTypes = new Dictionary<string, string> { ["t.anything"] = "date" } });
        Assert.Contains("\"anything\" date", computed.Statements[0].Sql);
        Assert.DoesNotContain(computed.Warnings, Untyped);
        var declared = Build(file, new PgSchemaOptions { Scan = ValueScan.None });
        Assert.Contains("\"u\" text", declared.Statements[0].Sql);
        Assert.Contains("\"small\" smallint", declared.Statements[0].Sql);
        Assert.DoesNotContain(declared.Warnings, w => w.Reason.Contains("data", StringComparison.Ordinal));
        // A sample decides from its rows only, and says so.
        var sample = Build(file, new PgSchemaOptions { Scan = ValueScan.Sample, SampleSize = 1 });
        Assert.Contains("\"ratio\" bigint", sample.Statements[0].Sql);
        Assert.Contains(sample.Warnings, w => w.Name == "u" && w.Reason.Contains("its first 1 rows"));

        var ex = Assert.Throws<MappingException>(() => Build(file, new PgSchemaOptions { ColumnTypes = new Dictionary<string, string> { ["t.flga"] = "boolean" } }));
        Assert.Contains("did you mean t.flag?", ex.Message);
    }

    [Fact]
    public void The_fidelity_corpus_goes_PG_to_D1_to_DDL_to_PG_with_the_documented_types_and_the_same_values()
    {
        var source = pg.CreateDatabase("pgschema_rt_src");
        pg.Execute(source, PipelineFidelityTests.Corpus);
        var file = Path.Combine(_dir, "corpus.sqlite");
        var (written, _) = PipelineFidelityTests.Migrate(source, file, ConversionOptions.Default, ["corpus"]);
        Assert.Equal(5, written);

        var schema = Build(file, new PgSchemaOptions());
        var back = pg.CreateDatabase("pgschema_rt_back");
        Apply(back, schema.Statements);
        var types = Types(back, "corpus");
        // D1 keeps INTEGER/REAL/TEXT/BLOB; the values give back the documented Postgres types where they are unambiguous.
        var expected = new Dictionary<string, string>
        {
            ["id"] = "bigint", ["b"] = "bigint", ["i2"] = "bigint", ["i8"] = "bigint", ["f8"] = "double precision", ["n124"] = "double precision",
            ["t"] = "text", ["c5"] = "text", ["u"] = "uuid", ["tstz"] = "timestamp with time zone", ["ts"] = "timestamp with time zone", ["d"] = "date",
            ["tm"] = "text", ["iv"] = "text", ["j"] = "text", ["jb"] = "text", ["arr"] = "jsonb", ["iarr"] = "jsonb", ["i2d"] = "jsonb", ["by"] = "bytea", ["e"] = "text", ["ip"] = "text",
        };
        foreach (var (column, type) in expected) Assert.True(types.TryGetValue(column, out var actual) && actual == type, $"{column}: {actual} (expected {type})");
        Assert.Contains(schema.Warnings, w => w.Name == "b" && w.Reason.Contains("'boolean'"));

        var watch = new Watch();
        Assert.Empty(Load(file, back, PgConversionOptions.Default, new PgTargetOptions(), watch));
        Assert.Empty(watch.Errors);
        // Where the type came back, the value did too (timestamp without zone came back as the same instant, read as UTC).
        const string Same = "SELECT id || ' ' || coalesce(i8::text, '-') || ' ' || coalesce(f8::text, '-') || ' ' || coalesce(t, '-') || ' ' || coalesce(u::text, '-') || ' ' || coalesce(tstz::text, '-') || ' ' || coalesce(d::text, '-') || ' ' || coalesce(encode(by, 'hex'), '-') FROM corpus WHERE id <> 5 ORDER BY id";
        Assert.Equal(Column(source, Same), Column(back, Same));
        Assert.Equal(Column(source, "SELECT coalesce((ts AT TIME ZONE 'UTC')::text, '-') FROM corpus WHERE id <> 5 ORDER BY id"), Column(back, "SELECT coalesce(ts::text, '-') FROM corpus ORDER BY id"));
        Assert.Equal(Column(source, "SELECT coalesce(array_to_json(arr)::jsonb::text, '-') FROM corpus WHERE id <> 5 ORDER BY id"), Column(back, "SELECT coalesce(arr::text, '-') FROM corpus ORDER BY id"));
    }
}
