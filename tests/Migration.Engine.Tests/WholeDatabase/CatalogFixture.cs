using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Tests.Infrastructure;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// A Postgres database holding one of each catalog object the whole-database migration must
/// carry or report: composite keys, a self-reference, a two-table foreign key cycle, partial,
/// expression and descending indexes, an enum, a domain, generated and identity columns, quoted,
/// unicode and reserved-word names, two schemas with a table of the same name, a table without a
/// key, and objects SQLite cannot express (exclusion constraint, GIN index, regex CHECK, ...).
/// </summary>
public static class CatalogFixture
{
    public const string Sql = """
        CREATE SCHEMA sales;
        CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s ok');
        CREATE DOMAIN posint AS integer NOT NULL CHECK (VALUE > 0);

        CREATE TABLE customers (
          id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          email varchar(200) NOT NULL,
          name text NOT NULL DEFAULT 'anon',
          mood mood NOT NULL DEFAULT 'happy',
          score posint,
          created_at timestamptz NOT NULL DEFAULT now(),
          active boolean NOT NULL DEFAULT true,
          balance numeric(10,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
          tags text[] NOT NULL DEFAULT '{}',
          name_len integer GENERATED ALWAYS AS (length(name)) STORED,
          CONSTRAINT customers_email_key UNIQUE (email),
          CONSTRAINT customers_known_mood CHECK (mood IN ('happy', 'sad')),
          CONSTRAINT customers_name_present CHECK (name IS NOT NULL AND length(name) > 0)
        );
        COMMENT ON TABLE customers IS 'People who buy';
        COMMENT ON COLUMN customers.email IS 'Login e-mail';
        CREATE UNIQUE INDEX customers_lower_email ON customers (lower(email));
        CREATE INDEX customers_active_recent ON customers (created_at DESC, id) WHERE active;
        CREATE INDEX customers_tags_gin ON customers USING gin (tags);
        CREATE INDEX customers_name_md5 ON customers (md5(name));

        CREATE TABLE orders (
          customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE RESTRICT,
          order_no integer NOT NULL,
          placed date NOT NULL DEFAULT CURRENT_DATE,
          note text CHECK (note ~ '^[a-z]'),
          PRIMARY KEY (customer_id, order_no)
        );
        CREATE TABLE order_lines (
          id bigserial PRIMARY KEY,
          customer_id integer NOT NULL,
          order_no integer NOT NULL,
          qty integer NOT NULL CHECK (qty > 0 AND qty < 1000),
          FOREIGN KEY (customer_id, order_no) REFERENCES orders DEFERRABLE INITIALLY DEFERRED
        );

        CREATE TABLE categories (id int PRIMARY KEY, parent_id int REFERENCES categories (id) ON DELETE SET NULL, name text NOT NULL);

        CREATE TABLE teams (id int PRIMARY KEY, captain_id int, name text NOT NULL);
        CREATE TABLE players (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams (id), name text NOT NULL);
        ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players (id);

        CREATE TABLE "Order Items ü" ("select" int PRIMARY KEY, "Größe" text, "from" int REFERENCES categories (id));

        CREATE TABLE public.items (id int PRIMARY KEY, label text UNIQUE);
        CREATE TABLE sales.items (id int PRIMARY KEY, public_item int REFERENCES public.items (id), label text);
        CREATE INDEX items_label_idx ON public.items (label);
        CREATE INDEX items_label_idx ON sales.items (label);

        CREATE TABLE audit_log (at timestamptz NOT NULL, what text);
        CREATE TABLE bookings (id int PRIMARY KEY, during tsrange, EXCLUDE USING gist (during WITH &&));
        CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, data text);

        INSERT INTO customers (email, name, mood, score, created_at, active, balance, tags) VALUES
          ('ann@example.com', 'Ann', 'happy', 5, '2024-01-02 03:04:05.123456+00', true, 10.50, '{a,b}'),
          ('bob@example.com', 'Bob', 'sad', 7, '2024-02-03 00:00:00+00', false, 0, '{}'),
          ('cy@example.com', 'Cy', 'happy', 1, '2024-03-04 00:00:00+00', true, 99999999.99, '{}');
        INSERT INTO orders VALUES (1, 1, '2024-01-03', 'first'), (1, 2, '2024-01-04', NULL), (2, 1, '2024-02-04', 'x');
        INSERT INTO order_lines (customer_id, order_no, qty) VALUES (1, 1, 3), (1, 2, 1), (2, 1, 999);
        -- children before parents in key order: parent 5 is loaded after the rows naming it
        INSERT INTO categories VALUES (5, NULL, 'root'), (1, 5, 'child'), (2, 1, 'grandchild'), (3, 6, 'forward'), (6, 5, 'late parent');
        INSERT INTO teams VALUES (1, NULL, 'Reds'), (2, NULL, 'Blues');
        INSERT INTO players VALUES (10, 1, 'Ada'), (11, 2, 'Brian'), (12, 2, 'Cleo');
        UPDATE teams SET captain_id = 10 WHERE id = 1;
        UPDATE teams SET captain_id = 12 WHERE id = 2;
        INSERT INTO "Order Items ü" VALUES (1, 'groß', 1), (2, NULL, NULL);
        INSERT INTO public.items VALUES (1, 'one'), (2, 'two');
        INSERT INTO sales.items VALUES (1, 2, 'one'), (2, NULL, 'uno');
        INSERT INTO audit_log VALUES ('2024-01-01 00:00:00+00', 'created'), ('2024-01-01 00:00:00+00', 'created');
        INSERT INTO bookings VALUES (1, '[2024-01-01,2024-01-02)');
        INSERT INTO django_session VALUES ('abc', 'secret');
        """;

    /// <summary>The renames the tests apply: two tables, one column, and the second "items".</summary>
    public static ConversionOptions Options { get; } = new()
    {
        TableMap = new Dictionary<string, string> { ["customers"] = "clients", ["sales.items"] = "sales_items", ["Order Items ü"] = "order_items" },
        ColumnMap = new Dictionary<string, string> { ["customers.email"] = "mail" },
    };

    public static PgTableSelection Selection { get; } = new(ExcludeTables: ["django_*"]);

    public static string Create(PgCluster pg)
    {
        var db = pg.CreateDatabase("catalog");
        pg.Execute(db, Sql);
        return db;
    }

    /// <summary>Describes every selected table and maps it to D1 with <see cref="Options"/>.</summary>
    public static (IReadOnlyList<TableSchema> Source, IReadOnlyList<TableSchema> D1, IReadOnlyList<string> Forward) Describe(string db, ConversionOptions? options = null)
    {
        using var exporter = new PgExporter(new PgConnectionSettings(db));
        var source = exporter.DescribeAll(Selection, out var forward);
        var converter = new RowConverter(options ?? Options);
        return (source, [.. source.Select(converter.TargetSchemaFor)], forward);
    }
}
