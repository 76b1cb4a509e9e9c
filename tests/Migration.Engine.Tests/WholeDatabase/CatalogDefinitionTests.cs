using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>What the exporter reads from the catalog, and the D1 DDL the converter maps it to.</summary>
[Collection(PgCluster.Collection)]
public sealed class CatalogDefinitionTests(PgCluster pg)
{
    readonly string _db = CatalogFixture.Create(pg);

    TableSchema Source(IReadOnlyList<TableSchema> tables, string display) => tables.Single(t => t.SourceDisplayName == display);

    [Fact]
    public void The_source_definition_holds_each_object_kind_as_the_catalog_has_it()
    {
        var (source, _, forward) = CatalogFixture.Describe(_db);
        var customers = Source(source, "public.customers").Definition!;
        Assert.Equal("People who buy", customers.Comment);
        Assert.Equal("Login e-mail", customers.Column("email")!.Comment);
        Assert.Equal(IdentityKind.Always, customers.Column("id")!.Identity);
        Assert.Equal("length(name)", customers.Column("name_len")!.Generated);
        Assert.Equal(["happy", "sad", "it's ok"], customers.Column("mood")!.EnumLabels);
        Assert.Equal("posint", customers.Column("score")!.Domain);
        Assert.Single(customers.Column("score")!.DomainChecks!);
        Assert.False(Source(source, "public.customers").Columns.Single(c => c.Name == "score").IsNullable); // the domain's NOT NULL
        Assert.True(customers.Column("name")!.HasDefaultConstant);
        Assert.Equal("anon", customers.Column("name")!.DefaultConstant);
        Assert.Equal("now()", customers.Column("created_at")!.Default);
        Assert.Equal(["email"], customers.Uniques.Single().Columns);
        Assert.Equal(3, customers.Checks.Count);
        var partial = customers.Indexes.Single(i => i.Name == "customers_active_recent");
        Assert.Equal("active", partial.Predicate);
        Assert.True(partial.Keys[0].Descending);
        Assert.Equal("lower(email::text)", customers.Indexes.Single(i => i.Name == "customers_lower_email").Keys.Single().Expression);

        Assert.Equal(["customer_id", "order_no"], Source(source, "public.orders").Definition!.PrimaryKey!.Columns);
        var lineKey = Source(source, "public.order_lines").Definition!.ForeignKeys.Single();
        Assert.True(lineKey is { IsDeferrable: true, IsInitiallyDeferred: true, ParentTable: "orders" });
        Assert.Equal(IdentityKind.Serial, Source(source, "public.order_lines").Definition!.Column("id")!.Identity);
        var orderKey = Source(source, "public.orders").Definition!.ForeignKeys.Single();
        Assert.Equal((ForeignKeyAction.Cascade, ForeignKeyAction.Restrict), (orderKey.OnDelete, orderKey.OnUpdate));

        // Same table name in two schemas stay two tables; system schemas and excluded tables are absent.
        Assert.Contains(source, t => t.SourceDisplayName == "sales.items" && t.Name == "sales.items");
        Assert.Contains(source, t => t.SourceDisplayName == "public.items" && t.Name == "items");
        Assert.DoesNotContain(source, t => t.SourceTable == "django_session" || t.SourceSchema is "pg_catalog" or "information_schema");
        Assert.Equal(["public.teams.teams_captain_fk -> public.players"], forward);
        Assert.Contains(Source(source, "public.audit_log").Definition!.Warnings, w => w.Reason.Contains("no primary key", StringComparison.Ordinal));
        Assert.Contains(Source(source, "public.bookings").Definition!.Warnings, w => w is { ObjectKind: "Constraint", Name: "bookings_during_excl" });
    }

    [Fact]
    public void The_D1_DDL_applies_renames_everywhere_and_warns_for_what_SQLite_cannot_express()
    {
        var (_, d1, _) = CatalogFixture.Describe(_db);
        var statements = D1Ddl.Statements(d1);
        var sql = string.Join("\n", statements.Select(s => s.Sql));
        var clients = statements.Single(s => s is { Kind: "Table", Name: "clients" }).Sql;

        Assert.Contains("\"mail\" TEXT NOT NULL, -- Login e-mail", clients, StringComparison.Ordinal);
        Assert.Contains("CONSTRAINT \"customers_email_key\" UNIQUE (\"mail\")", clients, StringComparison.Ordinal);
        Assert.Contains("CHECK (\"mood\" IN ('happy', 'sad', 'it''s ok'))", clients, StringComparison.Ordinal);
        Assert.Contains("CHECK (\"score\" > 0)", clients, StringComparison.Ordinal);
        Assert.Contains("CHECK (\"balance\" >= 0)", clients, StringComparison.Ordinal);
        Assert.Contains("CHECK (\"mood\" IN ('happy', 'sad'))", clients, StringComparison.Ordinal);
        Assert.Contains("\"active\" INTEGER NOT NULL DEFAULT 1", clients, StringComparison.Ordinal);
        Assert.Contains("\"tags\" TEXT NOT NULL DEFAULT '[]'", clients, StringComparison.Ordinal);
        Assert.Contains("FOREIGN KEY (\"customer_id\") REFERENCES \"clients\" (\"id\") ON DELETE CASCADE ON UPDATE RESTRICT", sql, StringComparison.Ordinal);
        Assert.Contains("REFERENCES \"orders\" (\"customer_id\", \"order_no\") DEFERRABLE INITIALLY DEFERRED", sql, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE \"order_items\" (\n  \"select\" INTEGER NOT NULL PRIMARY KEY,\n  \"Größe\" TEXT,\n  \"from\" INTEGER,", sql, StringComparison.Ordinal);
        Assert.Contains("REFERENCES \"items\" (\"id\")", statements.Single(s => s.Name == "sales_items").Sql, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX \"customers_active_recent\" ON \"clients\" (\"created_at\" DESC, \"id\") WHERE \"active\"", sql, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX \"customers_lower_email\" ON \"clients\" ((lower(\"mail\")))", sql, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX \"sales.items_label_idx\" ON \"sales_items\" (\"label\")", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("email", sql.Replace("e-mail", "", StringComparison.Ordinal).Replace("customers_email_key", "", StringComparison.Ordinal).Replace("customers_lower_email", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var warnings = d1.SelectMany(t => t.Definition!.Warnings).ToList();
        Assert.Contains(warnings, w => w is { ObjectKind: "Index", Name: "customers_name_md5" } && w.Reason.Contains("md5", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w is { ObjectKind: "Index", Name: "customers_tags_gin" });
        Assert.Contains(warnings, w => w is { ObjectKind: "Check", Name: "orders_note_check" } && w.Reason.Contains("~", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w is { ObjectKind: "Default", Name: "placed" });
        Assert.Contains(warnings, w => w is { ObjectKind: "Column", Name: "name_len" } && w.Reason.Contains("generated", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w is { ObjectKind: "Constraint", Name: "bookings_during_excl" });
        Assert.DoesNotContain("md5", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("tags_gin", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_migration_file_is_numbered_after_the_existing_ones()
    {
        var (_, d1, _) = CatalogFixture.Describe(_db);
        var dir = Directory.CreateTempSubdirectory("migrations-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "0001_init.sql"), "SELECT 1;");
            File.WriteAllText(Path.Combine(dir, "0007_later.sql"), "SELECT 1;");
            var script = D1Ddl.Script(D1Ddl.Statements(d1), d1.SelectMany(t => t.Definition!.Warnings));
            var path = D1Ddl.WriteMigration(dir, "from postgres!", script);
            Assert.Equal("0008_from_postgres.sql", Path.GetFileName(path));
            Assert.StartsWith("-- D1 schema generated", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.Contains("-- warning: clients: Index customers_name_md5:", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
