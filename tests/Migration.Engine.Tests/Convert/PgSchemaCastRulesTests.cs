using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Schema;
using Migration.Engine.Target.Postgres;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>
/// Export-PgSchema's cast rules by declared type (the table in docs/pg-schema.md, anchored on
/// pgloader's *sqlite-default-cast-rules*), what each type takes (the load's own converters), the
/// widening order and the translation of SQLite defaults.
/// </summary>
public sealed class PgSchemaCastRulesTests
{
    [Theory]
    // pgloader's rules
    [InlineData("TEXT", "text")]
    [InlineData("VARCHAR(255)", "text")]
    [InlineData("character varying(20)", "text")]
    [InlineData("NVARCHAR(10)", "text")]
    [InlineData("CLOB", "text")]
    [InlineData("INTEGER", "bigint")]
    [InlineData("int", "bigint")]
    [InlineData("BIGINT", "bigint")]
    [InlineData("unsigned big int", "bigint")]
    [InlineData("TINYINT", "smallint")]
    [InlineData("int2", "smallint")]
    [InlineData("INT4", "integer")]
    [InlineData("int8", "bigint")]
    [InlineData("BLOB", "bytea")]
    [InlineData("byte[]", "bytea")]
    [InlineData("DATETIME", "timestamp with time zone")]
    [InlineData("timestamp", "timestamp without time zone")]
    [InlineData("TIMESTAMPTZ", "timestamp with time zone")]
    [InlineData("NUMERIC(12,4)", "numeric(12,4)")]
    [InlineData("decimal(10)", "numeric(10,0)")]
    [InlineData("NUMERIC", "numeric")]
    // SQLite's REAL is 8 bytes: never float4 (pgloader maps real -> real)
    [InlineData("REAL", "double precision")]
    [InlineData("FLOAT", "double precision")]
    [InlineData("DOUBLE PRECISION", "double precision")]
    // this module's additions (pgloader's catch-all would make them text)
    [InlineData("BOOLEAN", "boolean")]
    [InlineData("date", "date")]
    [InlineData("JSON", "jsonb")]
    [InlineData("uuid", "uuid")]
    public void A_declared_type_maps_by_the_documented_rule(string declared, string expected)
    {
        var (type, known) = PgSchemaCastRules.ForDeclared(declared);
        Assert.True(known);
        Assert.Equal(expected, type.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MONEYBAG")]
    [InlineData("STRING_ARRAY")]
    public void An_empty_or_unknown_type_is_text_and_flagged_unknown(string declared)
    {
        var (type, known) = PgSchemaCastRules.ForDeclared(declared);
        Assert.False(known);
        Assert.Equal("text", type.Name);
    }

    [Fact]
    public void Accepts_uses_the_load_s_converters()
    {
        Assert.True(PgSchemaCastRules.Accepts(PgSchemaCastRules.Boolean, 1L, false));
        Assert.False(PgSchemaCastRules.Accepts(PgSchemaCastRules.Boolean, 2L, false));
        Assert.True(PgSchemaCastRules.Accepts(PgSchemaCastRules.Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", false));
        Assert.False(PgSchemaCastRules.Accepts(PgSchemaCastRules.Uuid, "u_alice", false));
        Assert.True(PgSchemaCastRules.Accepts(PgSchemaCastRules.Uuid, "u_alice", true)); // an id under -IdMap
        Assert.True(PgSchemaCastRules.Accepts(PgSchemaCastRules.TimestampTz, "2024-02-01 08:00:00", false));
        Assert.False(PgSchemaCastRules.Accepts(PgSchemaCastRules.TimestampTz, "yesterday", false));
        Assert.True(PgSchemaCastRules.Accepts(PgSchemaCastRules.Jsonb, "{\"a\":1}", false));
        Assert.False(PgSchemaCastRules.Accepts(PgSchemaCastRules.Jsonb, "{bad json", false));
        Assert.False(PgSchemaCastRules.Accepts(PgSchemaCastRules.BigInt, 2.5, false));
        Assert.True(PgSchemaCastRules.Accepts(PgSchemaCastRules.Double, 2.5, false));
        Assert.False(PgSchemaCastRules.Accepts(PgSchemaCastRules.SmallInt, 40000L, false));
        // numeric(p,s): a value Postgres would round is not taken
        var n52 = PgSchemaCastRules.ForDeclared("NUMERIC(5,2)").Type;
        Assert.True(PgSchemaCastRules.Accepts(n52, 123.45, false));
        Assert.False(PgSchemaCastRules.Accepts(n52, 1.234, false));
        Assert.False(PgSchemaCastRules.Accepts(n52, 12345L, false));
    }

    [Fact]
    public void Widening_goes_from_narrow_to_wide_and_ends_in_text_then_bytea()
    {
        Assert.Equal(["integer", "bigint", "double precision", "numeric", "text", "bytea"], PgSchemaCastRules.Widenings(PgSchemaCastRules.SmallInt).Select(t => t.Name));
        Assert.Equal(["double precision", "numeric", "text", "bytea"], PgSchemaCastRules.Widenings(PgSchemaCastRules.BigInt).Select(t => t.Name));
        Assert.Equal(["timestamp with time zone", "text", "bytea"], PgSchemaCastRules.Widenings(PgSchemaCastRules.Timestamp).Select(t => t.Name));
        Assert.Equal(["bytea"], PgSchemaCastRules.Widenings(PgSchemaCastRules.Text).Select(t => t.Name));
    }

    [Theory]
    [InlineData("boolean", "boolean")]
    [InlineData("int", "integer")]
    [InlineData("timestamptz", "timestamp with time zone")]
    [InlineData("numeric(12,2)", "numeric(12,2)")]
    [InlineData("text[]", "text[]")]
    [InlineData("JSONB", "jsonb")]
    public void A_user_s_type_name_parses(string given, string expected) => Assert.Equal(expected, PgSchemaCastRules.Parse(given).Name);

    [Fact]
    public void An_unknown_user_type_is_an_error_listing_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => PgSchemaCastRules.Parse("varchr"));
        Assert.Contains("\"varchr\" is not a type", ex.Message);
        Assert.Contains("timestamptz", ex.Message);
    }

    [Theory]
    [InlineData("CURRENT_TIMESTAMP", "timestamptz", "CURRENT_TIMESTAMP")]
    [InlineData("CURRENT_TIMESTAMP", "timestamp", "(now() AT TIME ZONE 'UTC')")]
    [InlineData("CURRENT_TIMESTAMP", "text", "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')")]
    [InlineData("current_date", "date", "((now() AT TIME ZONE 'UTC')::date)")]
    [InlineData("0", "bigint", "0")]
    [InlineData("(-1.5)", "double precision", "-1.5")]
    [InlineData("1", "boolean", "true")]
    [InlineData("FALSE", "boolean", "false")]
    [InlineData("'it''s'", "text", "'it''s'")]
    [InlineData("'{}'", "jsonb", "'{}'")]
    [InlineData("'pending'", "text", "'pending'")]
    public void A_default_translates(string sqlite, string type, string expected)
    {
        var (sql, reason) = PgSchemaBuilder.Default(sqlite, PgSchemaCastRules.Parse(type));
        Assert.Null(reason);
        Assert.Equal(expected, sql);
    }

    [Theory]
    [InlineData("(datetime('now'))", "text", "a SQLite expression")]
    [InlineData("(strftime('%s','now'))", "bigint", "a SQLite expression")]
    [InlineData("2", "boolean", "not a boolean value")]
    [InlineData("'abc'", "bigint", "not a bigint value")]
    [InlineData("CURRENT_TIMESTAMP", "bigint", "CURRENT_TIMESTAMP has no bigint value")]
    public void A_default_that_does_not_translate_says_why(string sqlite, string type, string reason)
    {
        var (sql, why) = PgSchemaBuilder.Default(sqlite, PgSchemaCastRules.Parse(type));
        Assert.Null(sql);
        Assert.Contains(reason, why);
    }

    [Fact]
    public void Default_null_is_no_default_and_no_warning() => Assert.Equal((null, null), PgSchemaBuilder.Default("NULL", PgSchemaCastRules.Text));
}
