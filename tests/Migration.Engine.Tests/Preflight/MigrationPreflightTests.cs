using Migration.Engine.Convert;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Tests.Convert;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.Preflight;

/// <summary>
/// The preflight over a real database's whole set of tables: every table D1 cannot take is
/// found up front, with its reason and the parameter that fixes it, and the others are accepted.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class MigrationPreflightTests(PgCluster pg)
{
    /// <summary>One table of each kind D1 refuses, beside tables it takes.</summary>
    public static readonly string Sql = $"""
        CREATE SCHEMA archive;
        CREATE TABLE parents (id int PRIMARY KEY, name text);
        CREATE TABLE _cf_meta (id int PRIMARY KEY, v text);
        CREATE TABLE wide (id int PRIMARY KEY, {string.Join(", ", Enumerable.Range(1, 100).Select(i => $"c{i} int"))});
        CREATE TABLE wide_child (id int PRIMARY KEY, wide_id int REFERENCES wide (id), parent_id int REFERENCES parents (id));
        CREATE TABLE public.items (id int PRIMARY KEY, label text);
        CREATE TABLE archive.items (id int PRIMARY KEY, label text);
        CREATE TABLE padded (id int PRIMARY KEY, code char(2000001) NOT NULL);
        CREATE TABLE users (id int PRIMARY KEY, email text, password text);
        """;

    IReadOnlyList<TableSchema> DescribeAll()
    {
        var db = pg.CreateDatabase("preflight");
        pg.Execute(db, Sql);
        using var exporter = new PgExporter(new PgConnectionSettings(db));
        return exporter.DescribeAll(PgTableSelection.All, out _);
    }

    [Fact]
    public void Every_refused_table_is_named_with_its_reason_and_fix_and_the_others_are_accepted()
    {
        var sources = DescribeAll();
        var report = MigrationPreflight.Check(sources, new RowConverter(ConversionOptions.Default));

        var refused = report.RefusedTables.ToDictionary(t => t.Table, t => t.Problems);
        Assert.Equal(["archive.items", "public._cf_meta", "public.items", "public.padded", "public.wide"], refused.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(PreflightProblemKind.ReservedName, Assert.Single(refused["public._cf_meta"]).Kind);
        Assert.Equal("TableMap", refused["public._cf_meta"][0].FixParameter);
        var wide = Assert.Single(refused["public.wide"]);
        Assert.Equal(PreflightProblemKind.TooManyColumns, wide.Kind);
        Assert.Contains("101 columns", wide.Reason, StringComparison.Ordinal);
        Assert.Equal("Exclude", wide.FixParameter);
        Assert.Equal(PreflightProblemKind.RowSize, Assert.Single(refused["public.padded"]).Kind);
        foreach (var items in new[] { "public.items", "archive.items" })
        {
            var p = Assert.Single(refused[items]);
            Assert.Equal(PreflightProblemKind.NameCollision, p.Kind);
            Assert.Contains("archive.items and public.items would both be the D1 table items", p.Reason, StringComparison.Ordinal);
            Assert.Equal("TableMap", p.FixParameter);
        }

        // The child of a refused table loads, without that key, and is told its rows meet the orphan policy.
        var note = Assert.Single(report.Problems, p => !p.RefusesTable);
        Assert.Equal(("public.wide_child", PreflightProblemKind.ParentRefused, "OrphanPolicy"), (note.Table, note.Kind, note.FixParameter));
        Assert.Equal(["parents", "users", "wide_child"], report.Accepted.Select(t => t.Name).Order(StringComparer.Ordinal));
        var child = report.Accepted.Single(t => t.Name == "wide_child");
        Assert.Equal(["parents"], child.Definition!.ForeignKeys.Select(fk => fk.ParentTable));
        Assert.Contains(child.Definition.Warnings, w => w.Reason.Contains("wide is refused", StringComparison.Ordinal));

        // One message lists every refusal (the -ErrorAction Stop error).
        var message = new PreflightException(report).Message;
        foreach (var t in refused.Keys) Assert.Contains("Table " + t, message, StringComparison.Ordinal);
        Assert.StartsWith("5 tables cannot go to D1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_map_that_fixes_the_collision_and_the_reserved_name_lets_those_tables_load()
    {
        var sources = DescribeAll();
        var options = new ConversionOptions
        {
            TableMap = new Dictionary<string, string> { ["archive.items"] = "archived_items", ["_cf_meta"] = "cf_meta" },
            Exclude = ["wide.c100"],
        };
        var report = MigrationPreflight.Check(sources, new RowConverter(options));
        Assert.Equal(["public.padded"], report.RefusedTables.Select(t => t.Table));
        Assert.DoesNotContain(report.Problems, p => !p.RefusesTable);
    }

    [Fact]
    public void A_mapping_that_cannot_apply_refuses_that_table_only_and_its_siblings_still_map()
    {
        var sources = DescribeAll();
        var converter = new RowConverter(new ConversionOptions
        {
            ColumnMap = new Dictionary<string, string> { ["users.email"] = "password" },
            TableMap = new Dictionary<string, string> { ["archive.items"] = "archived_items", ["_cf_meta"] = "cf_meta", ["wide"] = "wide2" },
            Exclude = ["wide.c100", "padded.code"],
        });
        var report = MigrationPreflight.Check(sources, converter);
        var users = Assert.Single(report.Refusals);
        Assert.Equal((PreflightProblemKind.Mapping, "public.users", "ColumnMap"), (users.Kind, users.Table, users.FixParameter));
        Assert.Contains("would both be the D1 column \"password\"", users.Reason, StringComparison.Ordinal);

        // The D1 set a sibling carries leaves the refused table out instead of failing as a whole.
        var parents = converter.TargetSchemaFor(sources.Single(s => s.SourceTable == "parents"));
        Assert.DoesNotContain(parents.Definition!.Set!.Tables, t => t.SourceTable == "users");
        Assert.Equal(sources.Count - 1, parents.Definition.Set.Tables.Count);
    }

    [Fact]
    public void Names_in_the_maps_that_match_nothing_are_found_with_the_closest_real_name()
    {
        var sources = DescribeAll();
        var options = new ConversionOptions
        {
            Exclude = ["pasword", "users.password"],
            ColumnMap = new Dictionary<string, string> { ["users.emial"] = "mail", ["parents.name"] = "title" },
            TableMap = new Dictionary<string, string> { ["user"] = "people", ["archive.items"] = "old_items" },
            ColumnOverrides = new Dictionary<string, ColumnOverride> { ["padded.cod"] = new(NumericAs: NumericMode.Text) },
        };
        var unmatched = MigrationPreflight.UnmatchedNames(sources, options);
        Assert.Equal(
            [("Exclude", "pasword", "password"), ("ColumnMap", "users.emial", "users.email"), ("TableMap", "user", "users"), ("ColumnOverride", "padded.cod", "padded.code")],
            unmatched.Select(u => (u.Parameter, u.Name, u.Closest)));
        Assert.Equal("-Exclude \"pasword\" matches no column of the tables being migrated; did you mean \"password\"?", unmatched[0].ToString());

        var fine = new ConversionOptions
        {
            Exclude = ["password", "public.users.email"],
            TableMap = new Dictionary<string, string> { ["public.users"] = "people", ["ARCHIVE.ITEMS"] = "old" },
        };
        Assert.Empty(MigrationPreflight.UnmatchedNames(sources, fine));
    }
}

/// <summary>The preflight's rules that need no database: types, foreign keys, suggestions.</summary>
public sealed class MigrationPreflightRuleTests
{
    static TableSchema Table(string name, IReadOnlyList<Column> columns, params ForeignKeyDefinition[] fks) =>
        new(SchemaKind.Postgres, "public", name, name, columns, [0])
        {
            Definition = new TableDefinition([.. columns.Select(c => new ColumnDefinition(c.Name))], foreignKeys: fks),
        };

    [Fact]
    public void A_type_with_no_mapping_refuses_the_table_unless_the_column_is_excluded()
    {
        var odd = new PgType("mystery", (PgTypeFamily)999);
        var t = Table("things", [new Column("id", Pg.Int, D1Type.Integer, false), new Column("m", odd, D1Type.Text, true)]);
        var report = MigrationPreflight.Check([t], new RowConverter(ConversionOptions.Default));
        var p = Assert.Single(report.Problems);
        Assert.Equal((PreflightProblemKind.UnmappedType, "Exclude"), (p.Kind, p.FixParameter));
        Assert.Contains("column m has type mystery", p.Reason, StringComparison.Ordinal);

        var excluded = MigrationPreflight.Check([t], new RowConverter(new ConversionOptions { Exclude = ["things.m"] }));
        Assert.False(excluded.HasRefusals);
    }

    [Fact]
    public void A_not_null_key_to_a_table_loaded_later_is_refused_and_its_own_children_follow_the_orphan_policy()
    {
        var id = new Column("id", Pg.Int, D1Type.Integer, false);
        var a = Table("a", [id, new Column("b_id", Pg.Int, D1Type.Integer, false)], new ForeignKeyDefinition("a_b", ["b_id"], "public", "b", ["id"]));
        var c = Table("c", [id, new Column("a_id", Pg.Int, D1Type.Integer, true)], new ForeignKeyDefinition("c_a", ["a_id"], "public", "a", ["id"]));
        var b = Table("b", [id]);
        var report = MigrationPreflight.Check([a, c, b], new RowConverter(ConversionOptions.Default));
        var refusal = Assert.Single(report.Refusals);
        Assert.Equal(("public.a", PreflightProblemKind.ForeignKeyUnloadable, "ExcludeTable"), (refusal.Table, refusal.Kind, refusal.FixParameter));
        Assert.Contains("NOT NULL", refusal.Reason, StringComparison.Ordinal);
        var note = Assert.Single(report.Problems, p => !p.RefusesTable);
        Assert.Equal("public.c", note.Table);

        // A nullable key to a later table loads NULL first (insert-then-update): nothing refused.
        var nullable = Table("a", [id, new Column("b_id", Pg.Int, D1Type.Integer, true)], new ForeignKeyDefinition("a_b", ["b_id"], "public", "b", ["id"]));
        Assert.Empty(MigrationPreflight.Check([nullable, b], new RowConverter(ConversionOptions.Default)).Problems);
    }

    [Theory]
    [InlineData("pasword", "password")]
    [InlineData("EMIAL", "email")]
    [InlineData("auth_user.emial", "auth_user.email")]
    public void The_closest_name_is_suggested(string typed, string expected) =>
        Assert.Equal(expected, NameSuggestion.Closest(typed, ["id", "password", "email", "auth_user.email", "auth_user.id"]));

    [Fact]
    public void Edit_distance_counts_inserts_deletes_and_substitutions_ignoring_case() =>
        Assert.Equal([0, 1, 1, 1, 3], new[] { ("abc", "ABC"), ("abc", "ab"), ("abc", "abcd"), ("abc", "axc"), ("", "xyz") }.Select(p => NameSuggestion.Distance(p.Item1, p.Item2)));
}
