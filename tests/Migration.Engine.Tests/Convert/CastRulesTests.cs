using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>The per-direction cast rules: one table per (source kind, target kind).</summary>
public sealed class CastRulesTests
{
    public static TheoryData<PgType, D1Type> Defaults() => new()
    {
        { new PgType("boolean", PgTypeFamily.Boolean, 16), D1Type.Integer },
        { new PgType("bigint", PgTypeFamily.Integer, 20), D1Type.Integer },
        { new PgType("double precision", PgTypeFamily.Float, 701), D1Type.Real },
        { new PgType("numeric(15,2)", PgTypeFamily.Numeric, 1700, 15, 2), D1Type.Real },
        { new PgType("numeric(16,2)", PgTypeFamily.Numeric, 1700, 16, 2), D1Type.Text },
        { new PgType("numeric", PgTypeFamily.Numeric, 1700), D1Type.Text },
        { new PgType("money", PgTypeFamily.Money, 790), D1Type.Text },
        { new PgType("bytea", PgTypeFamily.Bytea, 17), D1Type.Blob },
        { new PgType("timestamp with time zone", PgTypeFamily.TimestampTz, 1184), D1Type.Text },
        { new PgType("uuid", PgTypeFamily.Uuid, 2950), D1Type.Text },
        { new PgType("integer[]", PgTypeFamily.Array, 1007, Element: new PgType("integer", PgTypeFamily.Integer, 23)), D1Type.Text },
        { new PgType("inet", PgTypeFamily.TextForm, 869), D1Type.Text },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void A_source_column_carries_the_storage_class_its_converter_writes_by_default(PgType type, D1Type expected)
    {
        Assert.Equal(expected, PgToD1CastRules.DefaultD1Type(type));
        var converted = new RowConverter(ConversionOptions.Default).TargetSchemaFor(
            new TableSchema(SchemaKind.Postgres, "public", "t", "t", [new Column("c", type, PgToD1CastRules.DefaultD1Type(type), true)], []));
        Assert.Equal(expected, converted.Columns[0].D1Type);
    }

    [Fact]
    public void Both_directions_are_registered_and_a_missing_direction_is_named()
    {
        var rules = CastRuleTable.For(SchemaKind.Postgres, SchemaKind.D1);
        Assert.Equal((SchemaKind.Postgres, SchemaKind.D1), (rules.Source, rules.Target));
        var back = CastRuleTable.For(SchemaKind.D1, SchemaKind.Postgres);
        Assert.Equal((SchemaKind.D1, SchemaKind.Postgres), (back.Source, back.Target));
        var e = Assert.Throws<NotSupportedException>(() => CastRuleTable.For(SchemaKind.D1, SchemaKind.D1));
        Assert.Equal("No cast rules convert D1 rows to D1.", e.Message);
    }

    [Fact]
    public void Every_type_family_has_a_D1_to_Postgres_converter()
    {
        foreach (var family in Enum.GetValues<PgTypeFamily>())
            Assert.True(D1ToPgCastRules.Covers(family), $"No D1 -> Postgres converter for {family}.");
    }
}
