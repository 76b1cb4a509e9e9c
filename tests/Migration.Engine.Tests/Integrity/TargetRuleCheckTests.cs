using Migration.Engine.Integrity;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

/// <summary>
/// The checks that look only at the target (Json, Domain, Unique, ForeignKeys, Schema), on a real
/// SQLite file, with the source schema and catalog facts given directly.
/// </summary>
public sealed class TargetRuleCheckTests : IDisposable
{
    readonly TempSqlite _db = new();

    static readonly TableSchema Source = new(SchemaKind.Postgres, "public", "account", "account",
    [
        new Column("id", new PgType("integer", PgTypeFamily.Integer), D1Type.Integer, false),
        new Column("email", new PgType("text", PgTypeFamily.Text), D1Type.Text, false),
        new Column("active", new PgType("boolean", PgTypeFamily.Boolean), D1Type.Integer, false),
        new Column("mood", new PgType("mood", PgTypeFamily.TextForm), D1Type.Text, true),
        new Column("tags", new PgType("text[]", PgTypeFamily.Array), D1Type.Text, true),
        new Column("meta", new PgType("jsonb", PgTypeFamily.Jsonb), D1Type.Text, true),
        new Column("owner_id", new PgType("integer", PgTypeFamily.Integer), D1Type.Integer, true),
        new Column("secret", new PgType("text", PgTypeFamily.Text), D1Type.Text, true),
    ], [0]);

    // The mapping a migration would use: account -> accounts, email -> mail, secret excluded.
    static readonly TableSchema Target = new(SchemaKind.D1, "public", "account", "accounts",
    [
        new Column("id", Source.Columns[0].PgType, D1Type.Integer, false),
        new Column("mail", Source.Columns[1].PgType, D1Type.Text, false, "email"),
        new Column("active", Source.Columns[2].PgType, D1Type.Integer, false),
        new Column("mood", Source.Columns[3].PgType, D1Type.Text, true),
        new Column("tags", Source.Columns[4].PgType, D1Type.Text, true),
        new Column("meta", Source.Columns[5].PgType, D1Type.Text, true),
        new Column("owner_id", Source.Columns[6].PgType, D1Type.Integer, true),
    ], [0], Source);

    static readonly SourceIndex[] Indexes =
    [
        new("account_pkey", ["id"], true, true, false),
        new("account_email_key", ["email"], true, false, false),
        new("account_owner_idx", ["owner_id", "active"], false, false, false),
        new("account_secret_idx", ["secret"], false, false, false),         // column excluded: not expected
        new("account_mood_partial", ["mood"], true, false, true),           // partial: no uniqueness check
    ];

    public TargetRuleCheckTests()
    {
        _db.Exec("CREATE TABLE owners (id INTEGER PRIMARY KEY)");
        _db.Exec("INSERT INTO owners VALUES (1), (2)");
        // Hand-written DDL: no PRIMARY KEY and no UNIQUE, so duplicates are possible; index names differ from the source's.
        _db.Exec("""
            CREATE TABLE accounts (id INTEGER NOT NULL, mail TEXT, active INTEGER, mood TEXT, tags TEXT, meta TEXT,
                                   owner_id INTEGER REFERENCES owners(id))
            """);
        _db.Exec("CREATE UNIQUE INDEX ux_mail ON accounts (mail)");
        _db.Exec("CREATE INDEX ix_owner ON accounts (owner_id, active)");
        _db.Exec("CREATE UNIQUE INDEX ix_mood ON accounts (mood) WHERE mood <> 'happy'");
        _db.Insert("accounts",
        [
            [1L, "a@x", 1L, "happy", "[\"a\"]", "{\"k\":1}", 1L],
            [2L, "b@x", 0L, null, "[]", null, 2L],
            [3L, "c@x", 1L, "sad", null, "null", null],
        ]);
    }

    public void Dispose() => _db.Dispose();

    TableCheckContext Context(int max = 10) => new(Source, Target, "accounts", _db.Connection, new IntegrityOptions { MaxDifferences = max },
        () => Indexes, () => new Dictionary<string, IReadOnlyList<string>> { ["mood"] = ["happy", "sad"] });

    [Fact]
    public void A_faithful_target_passes_every_rule()
    {
        var ctx = Context();
        var catalog = new TargetCatalog(_db.Connection);
        foreach (var r in new[] { JsonCheck.Run(ctx), DomainCheck.Run(ctx), UniqueCheck.Run(ctx), ForeignKeyCheck.Run(ctx, catalog), SchemaCheck.Run(ctx, catalog) })
            Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Invalid_json_and_a_number_in_a_json_column_fail_json()
    {
        _db.Exec("UPDATE accounts SET meta = '{\"k\":' WHERE id = 2");
        _db.Exec("UPDATE accounts SET tags = x'01' WHERE id = 3");
        var r = JsonCheck.Run(Context());
        Assert.False(r.Passed);
        Assert.Equal("2 invalid", r.Actual);
        Assert.Equal([("id=3", "tags", "x'01'"), ("id=2", "meta", "'{\"k\":'")], r.Differences.Select(d => (d.Key, d.Column!, d.TargetValue)));
    }

    [Fact]
    public void A_boolean_2_an_unknown_enum_label_and_a_null_in_a_not_null_column_fail_domain()
    {
        _db.Exec("UPDATE accounts SET active = 2 WHERE id = 1");
        _db.Exec("UPDATE accounts SET mood = 'angry' WHERE id = 3");
        _db.Exec("UPDATE accounts SET mail = NULL WHERE id = 2");
        var r = DomainCheck.Run(Context());
        Assert.False(r.Passed);
        Assert.Equal("3 violations", r.Actual);
        Assert.Equal(
            [("id=2", "mail", "NOT NULL", "NULL"), ("id=1", "active", "0 or 1", "2"), ("id=3", "mood", "one of happy|sad", "'angry'")],
            r.Differences.Select(d => (d.Key, d.Column!, d.SourceValue, d.TargetValue)));
    }

    [Fact]
    public void Duplicates_on_the_primary_key_and_a_unique_key_fail_unique_but_nulls_do_not()
    {
        _db.Exec("DROP INDEX ux_mail");
        _db.Insert("accounts", [[2L, "b@x", 0L, null, "[]", null, 2L]]);
        _db.Exec("UPDATE accounts SET mood = 'happy'");  // the partial unique index's column: not checked
        var r = UniqueCheck.Run(Context());
        Assert.False(r.Passed);
        Assert.Equal("2 duplicates", r.Actual);
        Assert.Equal([("id=2", "id", "2 rows"), ("mail=b@x", "mail", "2 rows")], r.Differences.Select(d => (d.Key, d.Column!, d.TargetValue)));
    }

    [Fact]
    public void An_orphan_is_named_with_its_key_and_value()
    {
        _db.Exec("PRAGMA foreign_keys = OFF");  // as a loader that does not enforce them would
        _db.Exec("UPDATE accounts SET owner_id = 42 WHERE id = 3");
        var r = ForeignKeyCheck.Run(Context(), new TargetCatalog(_db.Connection));
        Assert.False(r.Passed);
        Assert.Equal("1 orphans", r.Actual);
        Assert.Equal("owner_id -> owners(id): 1 orphans", r.Details);
        var d = Assert.Single(r.Differences);
        Assert.Equal(("id=3", "owner_id", "42 (no parent)"), (d.Key, d.Column, d.TargetValue));
    }

    [Fact]
    public void Indexes_match_by_columns_and_uniqueness_not_by_name()
    {
        var catalog = new TargetCatalog(_db.Connection);
        var expected = SchemaCheck.ExpectedIndexes(Context());
        Assert.Equal(["mail", "owner_id,active", "mood"], expected.Select(e => string.Join(",", e.Columns)));
        Assert.True(SchemaCheck.Run(Context(), catalog).Passed);

        _db.Exec("DROP INDEX ix_owner");
        _db.Exec("CREATE INDEX ix_owner_reversed ON accounts (active, owner_id)");  // other column order: not the same index
        _db.Exec("DROP INDEX ux_mail");
        _db.Exec("CREATE INDEX ix_mail ON accounts (mail)");                       // not unique any more
        var r = SchemaCheck.Run(Context(), catalog);
        Assert.False(r.Passed);
        Assert.Equal(("7 columns, 3 indexes", "7 columns, 1 indexes"), (r.Expected, r.Actual));
        Assert.Equal(["index account_email_key", "index account_owner_idx"], r.Differences.Select(d => d.Key));
    }

    [Fact]
    public void A_missing_column_fails_schema()
    {
        _db.Exec("ALTER TABLE accounts DROP COLUMN tags");
        var r = SchemaCheck.Run(Context(), new TargetCatalog(_db.Connection));
        Assert.False(r.Passed);
        Assert.Equal("missing columns: tags", r.Details);
    }
}
