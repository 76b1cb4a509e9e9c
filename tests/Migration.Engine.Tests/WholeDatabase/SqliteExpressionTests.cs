using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// The Postgres -> SQLite expression translator on the forms pg_get_expr prints: what is provably
/// the same is translated, everything else refused with a reason (never guessed).
/// </summary>
public sealed class SqliteExpressionTests
{
    static readonly Dictionary<string, ExpressionColumn> Columns = new()
    {
        ["n"] = new("N", PgTypeFamily.Integer, D1Type.Integer, false, false),
        ["price"] = new("price", PgTypeFamily.Numeric, D1Type.Real, false, false),
        ["exact"] = new("exact", PgTypeFamily.Numeric, D1Type.Text, false, false),
        ["name"] = new("name", PgTypeFamily.Text, D1Type.Text, false, false),
        ["code"] = new("code", PgTypeFamily.Text, D1Type.Text, true, false),
        ["on"] = new("on", PgTypeFamily.Boolean, D1Type.Integer, false, false),
        ["at"] = new("at", PgTypeFamily.TimestampTz, D1Type.Text, false, false),
        ["state"] = new("state", PgTypeFamily.TextForm, D1Type.Text, false, true),
    };

    static SqliteExpression.Result T(string pg, bool predicate = true) =>
        SqliteExpression.Translate(pg, n => Columns.GetValueOrDefault(n), t => t == "mood", predicate);

    [Theory]
    [InlineData("(n > 0)", "\"N\" > 0")]
    [InlineData("((n >= 0) AND (n <= 10))", "(\"N\" >= 0) AND (\"N\" <= 10)")]
    [InlineData("(price > (0)::numeric)", "\"price\" > 0")]
    [InlineData("(price <> '1.50'::numeric)", "\"price\" <> 1.50")]
    [InlineData("(name IS NOT NULL)", "\"name\" IS NOT NULL")]
    [InlineData("(name = ANY (ARRAY['a'::text, 'b''c'::text]))", "\"name\" IN ('a', 'b''c')")]
    [InlineData("((name)::text <> ALL ((ARRAY['x'::character varying, 'y'::character varying])::text[]))", "\"name\" NOT IN ('x', 'y')")]
    [InlineData("(state = 'on'::mood)", "\"state\" = 'on'")]
    [InlineData("on", "\"on\"")]
    [InlineData("(NOT on)", "NOT \"on\"")]
    [InlineData("(on = true)", "\"on\" = 1")]
    [InlineData("(length(name) > 0)", "length(\"name\") > 0")]
    [InlineData("((lower(name) = name) OR (n = '-1'::integer))", "(lower(\"name\") = \"name\") OR (\"N\" = -1)")]
    public void Provably_equivalent_expressions_are_translated(string pg, string sqlite)
    {
        var r = T(pg);
        Assert.Null(r.Refusal);
        Assert.Equal(sqlite, r.Sql);
    }

    [Theory]
    [InlineData("(name > 'm'::text)", "collation")]            // text ordering depends on the collation
    [InlineData("(exact > (0)::numeric)", "compare")]          // numeric stored as TEXT compares as text
    [InlineData("(at > now())", "now")]
    [InlineData("(at > '2020-01-01 00:00:00+00'::timestamp with time zone)", "cast to timestamp with time zone")]
    [InlineData("(name ~~ 'a%'::text)", "~~")]                 // LIKE: SQLite's ignores ASCII case
    [InlineData("((n + 1) > 0)", "+")]
    [InlineData("(code = 'a'::bpchar)", "cast to bpchar")]             // char(n) ignores trailing blanks
    [InlineData("(md5(name) = 'x'::text)", "md5")]
    [InlineData("(missing > 0)", "missing")]
    [InlineData("(name = E'a\\\\b'::text)", "prefix")]
    [InlineData("(n > 0)::integer", "cast")]
    public void Everything_else_is_refused_with_a_reason(string pg, string reasonPart)
    {
        var r = T(pg);
        Assert.Null(r.Sql);
        Assert.Contains(reasonPart, r.Refusal!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_predicate_must_be_a_condition()
    {
        Assert.NotNull(T("n", predicate: true).Refusal);
        Assert.Equal("\"N\"", T("n", predicate: false).Sql);
    }
}
