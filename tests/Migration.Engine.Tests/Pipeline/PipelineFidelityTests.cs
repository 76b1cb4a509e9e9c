using System.Globalization;
using Microsoft.Data.Sqlite;
using Migration.Engine.Convert;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Pipeline;

/// <summary>
/// The whole pipeline on a fidelity corpus: a real Postgres table holding every row of the
/// mapping table and its edge values goes through PgExporter -> RowConverter -> SqliteTarget
/// into a real SQLite file, and every value read back is compared with what Postgres itself
/// says it should be. The expected values come from SQL (to_char, array_to_json, ::text...),
/// not from the converters under test, so a converter bug cannot hide behind itself.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class PipelineFidelityTests(PgCluster pg) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("fidelity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal const string Corpus = """
        CREATE TYPE mood AS ENUM ('sad', 'happy', 'ünïcode');
        CREATE TABLE corpus (
          id int PRIMARY KEY,
          b boolean, i2 smallint, i8 bigint, f8 double precision,
          n124 numeric(12,4), n numeric,
          t text, c5 char(5), u uuid,
          tstz timestamptz, ts timestamp, d date, tm time, iv interval,
          j json, jb jsonb, arr text[], iarr int[], i2d int[][],
          by bytea, e mood, ip inet
        );
        SET TimeZone = 'Asia/Kathmandu';  -- +05:45: what the writer's zone was must not matter
        INSERT INTO corpus VALUES
        -- 1: NULL in every column
        (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        -- 2: empty and zero values, which are not NULL
        (2, false, 0, 0, 0, 0, 0, '', '', '00000000-0000-0000-0000-000000000000',
         '2000-01-01 00:00:00+00', '2000-01-01', '2000-01-01', '00:00', '0 seconds',
         '""', '{}', '{}', '{}', '{}', '', 'sad', '0.0.0.0'),
        -- 3: strings that other tools take for NULL, control characters, quotes, unicode
        (3, true, -32768, -9223372036854775808, -1.5e-300, -99999999.9999, 12345678901234567890.123456789012345678901234567890,
         E'\\N', 'NULL', 'ABCDEF01-2345-6789-ABCD-EF0123456789',
         '1999-12-31 23:59:59.999999-09:30', '1969-12-31 23:59:59.5', '1900-02-28', '23:59:59.999999', 'P1Y2M3DT4H5M6.7S',
         '{"a" : 1,  "b":[1,2 ,3], "émoji":"🎉"}', '{"z": null, "a": [true, 1.50, "x\ny"]}', '{NULL,"NULL","",a\\,b,"quote\"d","back\\\\slash","{brace}"}',
         '{1,NULL,-3}', '{{1,2},{3,4}}', '\x00ff10', 'ünïcode', '2001:db8::1/64'),
        -- 4: CR/LF/tab, emoji with ZWJ, far dates, large numbers
        (4, true, 32767, 9223372036854775807, 1.7976931348623157e308, 99999999.9999, 0.000000000000000000000000000001,
         E'line1\r\nline2\ttab\n', 'ab', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
         '9999-12-31 23:59:59.999999+00', '0001-01-01 00:00:00', '9999-12-31', '12:00:00.000001', '-1 days +02:03:04',
         'null', 'null', E'{"👩‍💻","line\\nfeed","tab\there"}', '{}', '{{NULL,2},{3,NULL}}', '\x', 'happy', '10.0.0.1'),
        -- 5: infinity, BC and years past 9999: an explicit representation, never NULL
        (5, false, 1, 1, 0.1, 0.1, 'NaN',
         'x', 'x', NULL,
         'infinity', '-infinity', '0044-03-15 BC', NULL, NULL,
         '[]', '[]', '{" lead","trail "}', NULL, NULL, NULL, NULL, NULL),
        (6, NULL, NULL, NULL, NULL, 1.5, 1.5000,
         NULL, NULL, NULL,
         '0044-03-15 12:00:00+00 BC', '12345-06-07 08:09:10', 'infinity', NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

        -- ISO 8601 with expanded years (astronomical numbering: 44 BC is -0043), as documented.
        CREATE FUNCTION iso_year(y int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
          SELECT CASE WHEN y < 0 THEN '-' || lpad((-(y + 1))::text, 4, '0')
                      WHEN y + 0 > 9999 THEN '+' || y::text
                      ELSE lpad(y::text, 4, '0') END $$;
        CREATE FUNCTION iso(v timestamp, zone text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
          SELECT CASE WHEN v = 'infinity' THEN 'infinity' WHEN v = '-infinity' THEN '-infinity'
                      ELSE iso_year(extract(year FROM v)::int) || to_char(v, '-MM-DD"T"HH24:MI:SS.US') || zone END $$;
        CREATE FUNCTION iso(v date) RETURNS text LANGUAGE sql IMMUTABLE AS $$
          SELECT CASE WHEN v = 'infinity' THEN 'infinity' WHEN v = '-infinity' THEN '-infinity'
                      ELSE iso_year(extract(year FROM v)::int) || to_char(v, '-MM-DD') END $$;
        """;

    /// <summary>Each column's expected D1 value, as (storage class, text), computed by Postgres.</summary>
    const string Expected = """
        SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601';
        SELECT id,
          'integer', b::int::text,
          'integer', i2::text,
          'integer', i8::text,
          'real', f8::text,
          'real', n124::float8::text,
          'text', n::text,
          'text', t,
          'text', rpad(c5, 5),
          'text', u::text,
          'text', iso(tstz AT TIME ZONE 'UTC', 'Z'),
          'text', iso(ts, ''),
          'text', iso(d),
          'text', to_char('2000-01-01'::date + tm, 'HH24:MI:SS.US'),
          'text', iv::text,
          'text', j::text,
          'text', jb::text,
          'text', array_to_json(arr)::text,
          'text', array_to_json(iarr)::text,
          'text', array_to_json(i2d)::text,
          'blob', encode(by, 'hex'),
          'text', e::text,
          'text', ip::text
        FROM corpus ORDER BY id
        """;

    static readonly string[] Columns =
        ["b", "i2", "i8", "f8", "n124", "n", "t", "c5", "u", "tstz", "ts", "d", "tm", "iv", "j", "jb", "arr", "iarr", "i2d", "by", "e", "ip"];

    [Fact]
    public void Every_value_arrives_as_Postgres_says_it_should()
    {
        var cs = pg.CreateDatabase("pipeline");
        pg.Execute(cs, Corpus);
        var file = Path.Combine(_dir, "corpus.sqlite");

        var (written, errors) = Migrate(cs, file, ConversionOptions.Default, ["corpus"]);

        // Row 5 holds a numeric NaN, which REAL cannot hold and TEXT 'NaN' would change
        // silently: by default it is refused, loudly, naming the row and column.
        var nan = Assert.Single(errors);
        Assert.Contains("id=5", nan.Message);
        Assert.Contains("column n", nan.Message);
        Assert.Equal(5, written);

        var mismatches = new List<string>();
        using var expected = Query(cs, Expected);
        using var db = OpenSqlite(file);
        var compared = 0;
        foreach (var exp in expected)
        {
            var id = (int)exp[0]!;
            if (id == 5) continue;
            var actual = ReadSqliteRow(db, "corpus", id);
            for (var c = 0; c < Columns.Length; c++)
            {
                var kind = (string)exp[1 + 2 * c]!;
                var text = exp[2 + 2 * c] as string;
                var (aKind, aText) = actual[Columns[c]];
                var want = text is null ? ("null", (string?)null) : (kind, text);
                var same = want.Item1 == aKind && (want.Item1 == "real"
                    ? double.Parse(want.Item2!, CultureInfo.InvariantCulture) == double.Parse(aText!, CultureInfo.InvariantCulture)
                    : want.Item2 == aText);
                if (!same) mismatches.Add($"id={id} {Columns[c]}: expected {want.Item1} '{want.Item2}', got {aKind} '{aText}'");
                compared++;
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Equal(5 * Columns.Length, compared);
    }

    [Fact]
    public void NaN_with_NonFinite_Text_arrives_as_the_text_NaN_and_the_row_is_kept()
    {
        var cs = pg.CreateDatabase("pipeline");
        pg.Execute(cs, Corpus);
        var file = Path.Combine(_dir, "nan.sqlite");
        var (written, errors) = Migrate(cs, file, new ConversionOptions { NonFinite = NonFiniteMode.Text }, ["corpus"]);
        Assert.Empty(errors);
        Assert.Equal(6, written);
        using var db = OpenSqlite(file);
        Assert.Equal(("text", "NaN"), ReadSqliteRow(db, "corpus", 5)["n"]);
    }

    [Fact]
    public void Unix_seconds_are_Postgres_epoch_and_sub_second_parts_are_refused_not_truncated()
    {
        var cs = pg.CreateDatabase("pipeline");
        pg.Execute(cs, """
            CREATE TABLE ev (id int PRIMARY KEY, at timestamptz NOT NULL);
            INSERT INTO ev VALUES (1, '2024-02-29 12:34:56+02'), (2, '1901-12-13 20:45:52+00'), (3, '2024-01-01 00:00:00.25+00');
            """);
        var file = Path.Combine(_dir, "unix.sqlite");
        var (written, errors) = Migrate(cs, file, new ConversionOptions { TimestampFormat = TimestampFormat.UnixSeconds }, ["ev"]);
        Assert.Equal(2, written);
        var e = Assert.Single(errors);
        Assert.Contains("id=3", e.Message);
        Assert.Contains("column at", e.Message);

        using var db = OpenSqlite(file);
        foreach (var id in new[] { 1, 2 })
        {
            var want = pg.Scalar<decimal>(cs, $"SELECT extract(epoch FROM at) FROM ev WHERE id = {id}");
            Assert.Equal(("integer", ((long)want).ToString(CultureInfo.InvariantCulture)), ReadSqliteRow(db, "ev", id)["at"]);
        }
    }

    /// <summary>Runs the three stages as the cmdlets do; returns rows written and per-row conversion errors.</summary>
    internal static (long Written, List<ConversionException> Errors) Migrate(string cs, string file, ConversionOptions options, string[] tables)
    {
        var errors = new List<ConversionException>();
        var converter = new RowConverter(options);
        using var exporter = new PgExporter(new PgConnectionSettings(cs));
        using var target = SqliteTarget.Open(file, new ImportOptions { BatchSize = 2 });
        var refused = new List<RowError>();
        target.RowFailed += refused.Add;
        foreach (var table in exporter.Describe(tables))
            foreach (var row in exporter.Export(table))
            {
                try { target.Add(converter.Convert(row)); }
                catch (ConversionException ex) { errors.Add(ex); }
            }
        var summaries = target.Complete();
        Assert.Empty(refused);
        return (summaries.Sum(s => s.RowsWritten), errors);
    }

    static SqliteConnection OpenSqlite(string file)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    /// <summary>Each column of one row as (typeof(), text rendering): blobs as hex, reals round-trip.</summary>
    static Dictionary<string, (string, string?)> ReadSqliteRow(SqliteConnection db, string table, int id)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM \"{table}\" WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read(), $"row id={id} is missing from {table}");
        var row = new Dictionary<string, (string, string?)>();
        for (var i = 0; i < r.FieldCount; i++)
        {
            var name = r.GetName(i);
            row[name] = r.IsDBNull(i) ? ("null", null) : r.GetDataTypeName(i).ToLowerInvariant() switch
            {
                "integer" => ("integer", r.GetInt64(i).ToString(CultureInfo.InvariantCulture)),
                "real" => ("real", r.GetDouble(i).ToString("R", CultureInfo.InvariantCulture)),
                "blob" => ("blob", System.Convert.ToHexString((byte[])r.GetValue(i)).ToLowerInvariant()),
                _ => ("text", r.GetString(i)),
            };
        }
        return row;
    }

    static ResultRows Query(string cs, string sql) => new(cs, sql);

    /// <summary>The rows of the last statement of a script, read fully (the corpus is small).</summary>
    sealed class ResultRows : List<object?[]>, IDisposable
    {
        public ResultRows(string cs, string sql)
        {
            using var conn = new NpgsqlConnection(cs);
            conn.Open();
            using var cmd = new NpgsqlCommand(sql, conn);
            using var r = cmd.ExecuteReader();
            do
            {
                Clear();
                while (r.Read())
                {
                    var values = new object?[r.FieldCount];
                    for (var i = 0; i < r.FieldCount; i++) values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
                    Add(values);
                }
            } while (r.NextResult());
        }

        public void Dispose() { }
    }
}
