using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>Planning a table: target names, renames, exclusions, computed columns, keys.</summary>
public sealed class RowConverterPlanTests
{
    /// <summary>public.auth_user as Django creates it (trimmed).</summary>
    static TableSchema AuthUser() => new(SchemaKind.Postgres, "public", "auth_user", "auth_user",
    [
        new Column("id", Pg.Int, D1Type.Integer, false),
        new Column("password", new PgType("character varying(128)", PgTypeFamily.Text), D1Type.Text, false),
        new Column("last_login", Pg.TimestampTz, D1Type.Text, true),
        new Column("is_staff", Pg.Boolean, D1Type.Integer, false),
        new Column("userId", Pg.BigInt, D1Type.Integer, true),
        new Column("email", Pg.Varchar, D1Type.Text, false),
        new Column("balance", Pg.Numeric(10, 2), D1Type.Real, true),
        new Column("tags", Pg.ArrayOf(Pg.Text), D1Type.Text, true),
    ], [0]);

    static Row Sample(TableSchema s) => new(s,
        [7, "pbkdf2$secret", Pg.Tz(2024, 5, 1, 8), true, 99L, "ann@example.com", 12.50m, "{a,\"b c\"}"]);

    [Fact]
    public void Default_plan_keeps_names_types_key_and_source()
    {
        var src = AuthUser();
        var d1 = new RowConverter(ConversionOptions.Default).TargetSchemaFor(src);
        Assert.Equal(SchemaKind.D1, d1.Kind);
        Assert.Equal("auth_user", d1.Name);
        Assert.Equal("public", d1.SourceSchema);
        Assert.Equal("auth_user", d1.SourceTable);
        Assert.Same(src, d1.Source);
        Assert.Equal([0], d1.PrimaryKey);
        Assert.Equal(src.Columns.Select(c => c.Name), d1.Columns.Select(c => c.Name));
        Assert.Equal(src.Columns.Select(c => c.PgType), d1.Columns.Select(c => c.PgType));
        Assert.Equal(src.Columns.Select(c => c.IsNullable), d1.Columns.Select(c => c.IsNullable));
        Assert.Equal(
            [D1Type.Integer, D1Type.Text, D1Type.Text, D1Type.Integer, D1Type.Integer, D1Type.Text, D1Type.Real, D1Type.Text],
            d1.Columns.Select(c => c.D1Type));
    }

    [Fact]
    public void A_whole_row_converts()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var row = converter.Convert(Sample(AuthUser()));
        Assert.Equal(new object?[] { 7L, "pbkdf2$secret", "2024-05-01T08:00:00.000000Z", 1L, 99L, "ann@example.com", 12.5, "[\"a\",\"b c\"]" }, row.GetValues());
    }

    [Fact]
    public void Plan_is_made_once_per_schema_instance()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var src = AuthUser();
        var a = converter.Convert(Sample(src));
        var b = converter.Convert(Sample(src));
        Assert.Same(a.GetSchema(), b.GetSchema());
        Assert.Same(converter.TargetSchemaFor(src), a.GetSchema());
        // Another table in between does not lose the first one's plan.
        converter.Convert(new Row(Conv.Source(Pg.Text), [1, "x"]));
        Assert.Same(a.GetSchema(), converter.Convert(Sample(src)).GetSchema());
    }

    [Theory]
    [InlineData("auth_user")]
    [InlineData("public.auth_user")]
    [InlineData("AUTH_USER")]
    [InlineData("Public.Auth_User")]
    public void TableMap_matches_plain_qualified_or_case_insensitive(string key)
    {
        var o = new ConversionOptions { TableMap = new Dictionary<string, string> { [key] = "users" } };
        var d1 = new RowConverter(o).TargetSchemaFor(AuthUser());
        Assert.Equal("users", d1.Name);
        Assert.Equal("auth_user", d1.SourceTable);
    }

    [Fact]
    public void TableMap_prefers_the_qualified_key_and_refuses_ambiguous_case()
    {
        var o = new ConversionOptions { TableMap = new Dictionary<string, string> { ["auth_user"] = "a", ["public.auth_user"] = "b" } };
        Assert.Equal("b", new RowConverter(o).TargetSchemaFor(AuthUser()).Name);

        var ambiguous = new ConversionOptions { TableMap = new Dictionary<string, string> { ["Auth_User"] = "a", ["AUTH_USER"] = "b" } };
        var e = Assert.Throws<MappingException>(() => new RowConverter(ambiguous).TargetSchemaFor(AuthUser()));
        Assert.Contains("Auth_User", e.Message);
        Assert.Contains("AUTH_USER", e.Message);
    }

    [Fact]
    public void ColumnMap_renames_with_the_most_specific_key()
    {
        var o = new ConversionOptions
        {
            ColumnMap = new Dictionary<string, string>
            {
                ["auth_user.userId"] = "user_id",
                ["email"] = "mail",
                ["public.auth_user.is_staff"] = "staff",
                ["is_staff"] = "not_this",
                ["other_table.password"] = "not_this_either",
            },
        };
        var d1 = new RowConverter(o).TargetSchemaFor(AuthUser());
        Assert.Equal(["id", "password", "last_login", "staff", "user_id", "mail", "balance", "tags"], d1.Columns.Select(c => c.Name));
        Assert.Equal("userId", d1.Columns[4].SourceName);
        Assert.Equal("is_staff", d1.Columns[3].SourceName);
    }

    [Fact]
    public void Exclude_drops_columns_and_values()
    {
        var o = new ConversionOptions { Exclude = ["password", "auth_user.tags"] };
        var converter = new RowConverter(o);
        var row = converter.Convert(Sample(AuthUser()));
        Assert.Equal(["id", "last_login", "is_staff", "userId", "email", "balance"], row.GetSchema().Columns.Select(c => c.Name));
        Assert.DoesNotContain("pbkdf2$secret", row.GetValues());
        Assert.Equal([0], row.GetSchema().PrimaryKey);
    }

    [Fact]
    public void Excluding_a_key_column_drops_the_key()
    {
        var o = new ConversionOptions { Exclude = ["auth_user.id"] };
        var d1 = new RowConverter(o).TargetSchemaFor(AuthUser());
        Assert.False(d1.HasPrimaryKey);
    }

    [Fact]
    public void Composite_key_ordinals_follow_exclusions()
    {
        var src = new TableSchema(SchemaKind.Postgres, null, "m", "m",
            [new Column("x", Pg.Text, D1Type.Text, true), new Column("a", Pg.Int, D1Type.Integer, false), new Column("b", Pg.Text, D1Type.Text, false)], [1, 2]);
        var d1 = new RowConverter(new ConversionOptions { Exclude = ["x"] }).TargetSchemaFor(src);
        Assert.Equal([0, 1], d1.PrimaryKey);
        var e = Assert.Throws<ConversionException>(() => new RowConverter(ConversionOptions.Default).Convert(new Row(src, ["x", 1, 5])));
        Conv.AssertNames(e, "m", "a=1, b=5", "b", "5");
    }

    [Fact]
    public void Two_columns_with_one_name_is_a_clear_error()
    {
        var o = new ConversionOptions { ColumnMap = new Dictionary<string, string> { ["userId"] = "email" } };
        var e = Assert.Throws<MappingException>(() => new RowConverter(o).TargetSchemaFor(AuthUser()));
        Assert.Contains("userId", e.Message);
        Assert.Contains("email", e.Message);
        Assert.Equal("public.auth_user", e.Table);

        var differentCase = new ConversionOptions { ColumnMap = new Dictionary<string, string> { ["userId"] = "EMAIL" } };
        Assert.Throws<MappingException>(() => new RowConverter(differentCase).TargetSchemaFor(AuthUser()));
    }

    [Fact]
    public void Computed_columns_are_appended_and_coerced_by_plain_rules()
    {
        var o = new ConversionOptions
        {
            TableMap = new Dictionary<string, string> { ["auth_user"] = "users" },
            Computed =
            [
                new ComputedColumn("auth_user", "has_login", D1Type.Integer, r => r.GetValue("last_login") is not null, IsNullable: false),
                new ComputedColumn("public.auth_user", "domain", D1Type.Text, r => ((string)r.GetValue("email")!).Split('@')[1]),
                new ComputedColumn("other", "ignored", D1Type.Text, _ => "x"),
            ],
        };
        var converter = new RowConverter(o);
        var row = converter.Convert(Sample(AuthUser()));
        var d1 = row.GetSchema();
        Assert.Equal("users", d1.Name);
        Assert.Equal(10, d1.Columns.Count);
        Assert.Equal("has_login", d1.Columns[8].Name);
        Assert.Null(d1.Columns[8].PgType);
        Assert.False(d1.Columns[8].IsNullable);
        Assert.Equal(D1Type.Integer, d1.Columns[8].D1Type);
        Assert.Equal(1L, row.GetValue(8));
        Assert.Equal("example.com", row.GetValue(9));
    }

    [Fact]
    public void Computed_column_failures_fail_the_row_with_names()
    {
        var o = new ConversionOptions
        {
            Computed = [new ComputedColumn("auth_user", "n", D1Type.Integer, r => r.GetValue("email"))],
        };
        var e = Assert.Throws<ConversionException>(() => new RowConverter(o).Convert(Sample(AuthUser())));
        Conv.AssertNames(e, "public.auth_user", "id=7", "n", "ann@example.com");

        var throwing = new ConversionOptions
        {
            Computed = [new ComputedColumn("auth_user", "n", D1Type.Integer, _ => throw new InvalidOperationException("boom"))],
        };
        var e2 = Assert.Throws<ConversionException>(() => new RowConverter(throwing).Convert(Sample(AuthUser())));
        Assert.Contains("boom", e2.Reason);
        Assert.Equal("id=7", e2.Key);

        var notNull = new ConversionOptions
        {
            Computed = [new ComputedColumn("auth_user", "n", D1Type.Text, _ => null, IsNullable: false)],
        };
        Assert.Throws<ConversionException>(() => new RowConverter(notNull).Convert(Sample(AuthUser())));
    }

    [Fact]
    public void Computed_column_clashing_with_a_column_is_a_mapping_error()
    {
        var o = new ConversionOptions { Computed = [new ComputedColumn("auth_user", "Email", D1Type.Text, _ => "x")] };
        Assert.Throws<MappingException>(() => new RowConverter(o).TargetSchemaFor(AuthUser()));
    }

    [Fact]
    public void A_bad_value_fails_its_row_only()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var src = Conv.Source(Pg.Double);
        Assert.Throws<ConversionException>(() => converter.Convert(new Row(src, [1, double.NaN])));
        Assert.Equal(2.5, converter.Convert(new Row(src, [2, 2.5])).GetValue(1));
    }

    [Fact]
    public void Already_converted_rows_are_refused()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var d1Row = converter.Convert(Sample(AuthUser()));
        Assert.Throws<MappingException>(() => converter.Convert(d1Row));
    }

    [Fact]
    public void The_tables_a_map_names_come_in_one_order_whatever_order_the_map_enumerates()
    {
        var forward = new Dictionary<string, string> { ["list_cutter_savedfile"] = "saved_files", ["auth_user"] = "users", ["contacts_person"] = "persons" };
        var backward = new Dictionary<string, string>(forward.Reverse());
        Assert.Equal(["auth_user", "contacts_person", "list_cutter_savedfile"], new ConversionOptions { TableMap = forward }.MappedSourceTables);
        Assert.Equal(["auth_user", "contacts_person", "list_cutter_savedfile"], new ConversionOptions { TableMap = backward }.MappedSourceTables);
    }
}
