using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// Every type family through a real binary COPY: the exact CLR value of each edge value, and the
/// schema Describe builds for it. One table, one export; each row is a set of edge values.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class PgExporterFidelityTests(PgExporterFidelityTests.Data data) : IClassFixture<PgExporterFidelityTests.Data>
{
    /// <summary>The table and its export, made once for all the tests of this class.</summary>
    public sealed class Data
    {
        public Data()
        {
            var pg = new PgCluster();
            Database = pg.CreateDatabase("fidelity");
            try { pg.Execute(Database, "CREATE EXTENSION citext"); HasCitext = true; }
            catch (Npgsql.PostgresException) { HasCitext = false; }
            pg.Execute(Database, $$$"""
                SET TimeZone = 'America/New_York';  -- the exporter must not depend on the writer's zone
                CREATE TYPE mood AS ENUM ('sad', 'happy');
                CREATE DOMAIN posint AS int CHECK (VALUE > 0);
                CREATE DOMAIN price AS numeric(10,2);
                CREATE TABLE fid (
                  id int PRIMARY KEY,
                  b boolean, i2 smallint, i4 integer NOT NULL DEFAULT 0, i8 bigint, f4 real, f8 double precision,
                  n124 numeric(12,4), n numeric, n40 numeric(40,10), m money,
                  t text, vc varchar(10), c5 char(5), nm name,
                  u uuid, tstz timestamptz, ts timestamp, d date, tm time, ttz timetz, iv interval,
                  j json, jb jsonb, arr text[], iarr int[][], by bytea, e mood, ip inet, dom posint, dp price, bt bit(3)
                  {{{(HasCitext ? ", ci citext" : "")}}}
                );
                ALTER TABLE fid DROP COLUMN bt;   -- a dropped column must not appear
                ALTER TABLE fid ADD COLUMN bt bit(3);
                INSERT INTO fid (id) VALUES (1);
                INSERT INTO fid (id, b, i2, i4, i8, f4, f8, n124, n, n40, m, t, vc, c5, nm, u, tstz, ts, d, tm, ttz, iv, j, jb, arr, iarr, by, e, ip, dom, dp, bt)
                VALUES (2, true, -32768, 2147483647, -9223372036854775808, 1.5, 'NaN', 1.5000,
                        '1234567890123456789012345678901234567890', 12.5, 12.34, '', 'abc', 'ab', 'nm',
                        'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '2024-03-10 12:34:56.123456+05:30', '2024-03-10 12:34:56.654321',
                        '2024-02-29', '24:00:00', '12:00:00+05', '1 year 2 mons 3 days 04:05:06.5',
                        '{"a" :  1, "é": "日本"}', '{"b": 2, "a": [1, "x"]}',
                        ARRAY['a', NULL, 'b,c', 'say "hi"', 'NULL', '', 'back\slash'], '{{1,2},{3,4}}', '\x00ff10', 'happy', '192.168.0.1/24', 5, 10.50, B'101');
                INSERT INTO fid (id, t, f4, f8, n124, n, tstz, ts, d, tm, j, jb, iarr, m, vc, c5)
                VALUES (3, 'emoji 😀 CJK 漢字 ZWJ 👨‍👩‍👧', '-Infinity', 'Infinity', 99999999.9999, 'NaN',
                        'infinity', '-infinity', 'infinity', '23:59:59.999999', 'null', 'null', '[0:1]={7,8}', '-92233720368547758.08', '', '');
                INSERT INTO fid (id, t, n124, n, tstz, ts, d, f8)
                VALUES (4, E'line1\r\nline2\tend', -99999999.9999, '-Infinity',
                        '294276-12-31 23:59:59.999999+00', '10000-01-01 00:00:00', '4714-11-24 BC', 0.1);
                INSERT INTO fid (id, t, n124, tstz, ts, d)
                VALUES (5, '\N', 'NaN', '4714-11-24 00:00:00+00 BC', '0044-03-15 12:00:00 BC', '5874897-12-31');
                INSERT INTO fid (id, t, tstz, n124) VALUES (6, 'NULL', '2024-01-01 00:00:00+14', 0);
                INSERT INTO fid (id, tstz, n124) VALUES (7, '2024-07-01 12:00:00.000001 America/Los_Angeles', 0.0001);
                INSERT INTO fid (id, tstz) VALUES (8, '2024-01-01 00:00:00-12');
                {{{(HasCitext ? "UPDATE fid SET ci = 'MiXeD' WHERE id = 2;" : "")}}}
                """);

            using var exporter = new PgExporter(new PgConnectionSettings(Database));
            Schema = exporter.Describe(["fid"]).Single();
            Rows = exporter.Export(Schema).ToDictionary(r => (int)r.GetValue("id")!);
        }

        public string Database { get; }
        public bool HasCitext { get; }
        public TableSchema Schema { get; }
        public Dictionary<int, Row> Rows { get; }
    }

    readonly bool _hasCitext = data.HasCitext;
    readonly TableSchema _schema = data.Schema;
    readonly Dictionary<int, Row> _rows = data.Rows;

    object? V(int id, string column) => _rows[id].GetValue(column);

    static PgTimestamp Utc(int y, int mo, int d, int h, int mi, int s, long micros = 0) =>
        new(PgTimestamp.FromDateTime(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc), true).Microseconds + micros, true);

    [Fact]
    public void Schema_has_families_types_nullability_key_and_default_d1_types()
    {
        Assert.Equal("fid", _schema.Name);
        Assert.Equal("public", _schema.SourceSchema);
        Assert.Equal(new[] { 0 }, _schema.PrimaryKey);
        // The dropped column is gone and the re-added one sits at the end: attnum order.
        Assert.Equal("bt", _schema.Columns[^1].Name);

        void Has(string col, PgTypeFamily family, string typeName, D1Type d1, int? precision = null, int? scale = null)
        {
            var c = _schema.Columns[_schema.IndexOf(col)];
            Assert.Equal(family, c.PgType!.Family);
            Assert.Equal(typeName, c.PgType.Name);
            Assert.Equal(d1, c.D1Type);
            Assert.Equal(precision, c.PgType.Precision);
            Assert.Equal(scale, c.PgType.Scale);
        }
        Has("b", PgTypeFamily.Boolean, "boolean", D1Type.Integer);
        Has("i2", PgTypeFamily.Integer, "smallint", D1Type.Integer);
        Has("i8", PgTypeFamily.Integer, "bigint", D1Type.Integer);
        Has("f4", PgTypeFamily.Float, "real", D1Type.Real);
        Has("n124", PgTypeFamily.Numeric, "numeric(12,4)", D1Type.Real, 12, 4);
        Has("n", PgTypeFamily.Numeric, "numeric", D1Type.Text);
        Has("n40", PgTypeFamily.Numeric, "numeric(40,10)", D1Type.Text, 40, 10);
        Has("m", PgTypeFamily.Money, "money", D1Type.Text);
        Has("c5", PgTypeFamily.Text, "character(5)", D1Type.Text);
        Has("vc", PgTypeFamily.Text, "character varying(10)", D1Type.Text);
        Has("nm", PgTypeFamily.Text, "name", D1Type.Text);
        Has("u", PgTypeFamily.Uuid, "uuid", D1Type.Text);
        Has("tstz", PgTypeFamily.TimestampTz, "timestamp with time zone", D1Type.Text);
        Has("ts", PgTypeFamily.Timestamp, "timestamp without time zone", D1Type.Text);
        Has("d", PgTypeFamily.Date, "date", D1Type.Text);
        Has("tm", PgTypeFamily.Time, "time without time zone", D1Type.Text);
        Has("ttz", PgTypeFamily.TextForm, "time with time zone", D1Type.Text);
        Has("iv", PgTypeFamily.TextForm, "interval", D1Type.Text);
        Has("j", PgTypeFamily.Json, "json", D1Type.Text);
        Has("jb", PgTypeFamily.Jsonb, "jsonb", D1Type.Text);
        Has("arr", PgTypeFamily.Array, "text[]", D1Type.Text);
        Has("iarr", PgTypeFamily.Array, "integer[]", D1Type.Text);
        Has("by", PgTypeFamily.Bytea, "bytea", D1Type.Blob);
        Has("e", PgTypeFamily.TextForm, "mood", D1Type.Text);
        Has("ip", PgTypeFamily.TextForm, "inet", D1Type.Text);
        Has("dom", PgTypeFamily.Integer, "posint", D1Type.Integer);
        Has("dp", PgTypeFamily.Numeric, "price", D1Type.Real, 10, 2);
        Has("bt", PgTypeFamily.TextForm, "bit(3)", D1Type.Text);
        if (_hasCitext) Has("ci", PgTypeFamily.TextForm, "citext", D1Type.Text);

        Assert.Equal(PgTypeFamily.Text, _schema.Columns[_schema.IndexOf("arr")].PgType!.Element!.Family);
        Assert.Equal(PgTypeFamily.Integer, _schema.Columns[_schema.IndexOf("iarr")].PgType!.Element!.Family);
        Assert.False(_schema.Columns[_schema.IndexOf("id")].IsNullable);
        Assert.False(_schema.Columns[_schema.IndexOf("i4")].IsNullable);
        Assert.True(_schema.Columns[_schema.IndexOf("t")].IsNullable);
    }

    [Fact]
    public void Null_is_null_in_every_column_and_never_DBNull()
    {
        var row = _rows[1];
        for (var i = 0; i < _schema.Columns.Count; i++)
        {
            var name = _schema.Columns[i].Name;
            if (name is "id" or "i4") continue;
            Assert.True(row.GetValue(i) is null, $"column {name}");
        }
        Assert.Equal(0, V(1, "i4"));
    }

    [Fact]
    public void Booleans_integers_and_floats_are_exact()
    {
        Assert.Equal(true, V(2, "b"));
        Assert.Equal((short)-32768, V(2, "i2"));
        Assert.Equal(2147483647, V(2, "i4"));
        Assert.Equal(long.MinValue, V(2, "i8"));
        Assert.Equal(1.5f, V(2, "f4"));
        Assert.True(V(2, "f8") is double nan && double.IsNaN(nan));
        Assert.Equal(float.NegativeInfinity, V(3, "f4"));
        Assert.Equal(double.PositiveInfinity, V(3, "f8"));
        Assert.Equal(0.1, V(4, "f8"));
        Assert.Equal(5, V(2, "dom")); // a domain over int reads as int
    }

    [Fact]
    public void Numeric_keeps_scale_digits_and_NaN()
    {
        var d = Assert.IsType<decimal>(V(2, "n124"));
        Assert.Equal("1.5000", d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(99999999.9999m, V(3, "n124"));
        Assert.Equal(-99999999.9999m, V(4, "n124"));
        Assert.Equal("0.0000", ((decimal)V(6, "n124")!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.0001", ((decimal)V(7, "n124")!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // numeric(p,s) accepts NaN, which no decimal holds: it comes as Postgres' text.
        Assert.Equal("NaN", V(5, "n124"));
        Assert.Equal("1234567890123456789012345678901234567890", V(2, "n"));
        Assert.Equal("NaN", V(3, "n"));
        Assert.Equal("-Infinity", V(4, "n"));
        Assert.Equal("12.5000000000", V(2, "n40"));
        Assert.Equal("10.50", ((decimal)V(2, "dp")!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(12.34m, V(2, "m"));
        Assert.Equal(-92233720368547758.08m, V(3, "m"));
    }

    [Fact]
    public void Text_is_byte_exact()
    {
        Assert.Equal("", V(2, "t"));
        Assert.Equal("emoji 😀 CJK 漢字 ZWJ 👨‍👩‍👧", V(3, "t"));
        Assert.Equal("line1\r\nline2\tend", V(4, "t"));
        Assert.Equal("\\N", V(5, "t"));
        Assert.Equal("NULL", V(6, "t"));
        Assert.Equal("ab   ", V(2, "c5"));
        Assert.Equal("     ", V(3, "c5"));
        Assert.Equal("", V(3, "vc"));
        Assert.Equal("nm", V(2, "nm"));
        Assert.Equal(Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), V(2, "u"));
        if (_hasCitext) Assert.Equal("MiXeD", V(2, "ci"));
    }

    [Fact]
    public void Timestamps_are_raw_and_exact_over_the_whole_range()
    {
        Assert.Equal(Utc(2024, 3, 10, 7, 4, 56, 123456), V(2, "tstz"));
        Assert.Equal("2024-03-10T07:04:56.123456Z", V(2, "tstz")!.ToString());
        Assert.Equal(new PgTimestamp(PgTimestamp.FromDateTime(new DateTime(2024, 3, 10, 12, 34, 56), false).Microseconds + 654321, false), V(2, "ts"));
        Assert.Equal(Utc(2023, 12, 31, 10, 0, 0), V(6, "tstz"));
        Assert.Equal(Utc(2024, 7, 1, 19, 0, 0, 1), V(7, "tstz"));
        Assert.Equal(Utc(2024, 1, 1, 12, 0, 0), V(8, "tstz"));

        var inf = Assert.IsType<PgTimestamp>(V(3, "tstz"));
        Assert.True(inf.IsPositiveInfinity && inf.HasTimeZone);
        Assert.True(((PgTimestamp)V(3, "ts")!).IsNegativeInfinity);

        Assert.Equal(new PgTimestamp(9223371331199999999, true), V(4, "tstz"));
        Assert.Equal("+294276-12-31T23:59:59.999999Z", V(4, "tstz")!.ToString());
        Assert.Equal(new PgTimestamp(252455616000000000, false), V(4, "ts"));
        Assert.Equal("+10000-01-01T00:00:00.000000", V(4, "ts")!.ToString());
        Assert.Equal(new PgTimestamp(-211813488000000000, true), V(5, "tstz"));
        Assert.Equal("-4713-11-24T00:00:00.000000Z", V(5, "tstz")!.ToString());
        Assert.Equal("-0043-03-15T12:00:00.000000", V(5, "ts")!.ToString());
    }

    [Fact]
    public void Dates_times_and_text_forms_are_exact()
    {
        Assert.Equal(PgDate.FromDateOnly(new DateOnly(2024, 2, 29)), V(2, "d"));
        Assert.True(((PgDate)V(3, "d")!).IsPositiveInfinity);
        Assert.Equal(new PgDate(-2451545), V(4, "d"));
        Assert.Equal("-4713-11-24", V(4, "d")!.ToString());
        Assert.Equal("+5874897-12-31", V(5, "d")!.ToString());

        Assert.Equal(TimeSpan.FromDays(1), V(2, "tm"));
        Assert.Equal(new TimeSpan(0, 23, 59, 59).Add(TimeSpan.FromTicks(9_999_990)), V(3, "tm"));
        Assert.Equal("12:00:00+05", V(2, "ttz"));
        Assert.Equal("P1Y2M3DT4H5M6.5S", V(2, "iv"));
        Assert.Equal("happy", V(2, "e"));
        Assert.Equal("192.168.0.1/24", V(2, "ip"));
        Assert.Equal("101", V(2, "bt"));
    }

    [Fact]
    public void Json_arrays_and_bytea_are_exact()
    {
        Assert.Equal("{\"a\" :  1, \"é\": \"日本\"}", V(2, "j"));
        Assert.Equal("{\"a\": [1, \"x\"], \"b\": 2}", V(2, "jb"));
        Assert.Equal("null", V(3, "j"));   // the JSON null document is not SQL NULL
        Assert.Equal("null", V(3, "jb"));
        Assert.Null(V(1, "j"));
        Assert.Equal("{a,NULL,\"b,c\",\"say \\\"hi\\\"\",\"NULL\",\"\",\"back\\\\slash\"}", V(2, "arr"));
        Assert.Equal("{{1,2},{3,4}}", V(2, "iarr"));
        Assert.Equal("[0:1]={7,8}", V(3, "iarr"));
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x10 }, V(2, "by"));
    }
}
