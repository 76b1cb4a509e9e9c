using System.Globalization;
using System.Text.Json;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Target;

/// <summary>
/// The proof that SqliteTarget writes what D1 reads: rows go into the state file of a real local
/// D1 (wrangler 4.86 / workerd) and come back through <c>wrangler d1 execute --local --json</c>.
/// </summary>
public sealed class SqliteTargetWranglerTests : IDisposable
{
    readonly WranglerLocalD1 _d1 = WranglerLocalD1.Create();
    public void Dispose() => _d1.Dispose();

    static readonly TableSchema People = D1("people",
        [Col("id", D1Type.Integer, false), Col("name", D1Type.Text), Col("n", D1Type.Integer), Col("score", D1Type.Real), Col("photo", D1Type.Blob)], 0);

    static readonly object?[][] Values =
    [
        [1L, "Ann", 42L, 0.1, new byte[] { 0, 1, 255 }],
        [2L, "emoji 🦆 中文 ünï", -9007199254740991L, 1e308, Array.Empty<byte>()],
        [3L, "line1\nline2\r\nline3", long.MaxValue, -0.30000000000000004, null],
        [4L, "", long.MinValue, 5e-324, new byte[] { 0 }],
        [5L, null, null, null, null],
        [6L, "it's \"quoted\"", 0L, -0.0 + 123456.789, null],
    ];

    [Fact]
    public void Rows_written_to_the_local_D1_state_file_read_back_identically_through_wrangler()
    {
        var outcome = Write(_d1.StateFile, new ImportOptions(), Values.Select(v => R(People, v)));
        Assert.Equal(Values.Length, outcome.Summary("people").RowsWritten);
        // The state file stays in WAL mode: wrangler (workerd) must keep reading it.
        Assert.Equal("wal", Rows(_d1.StateFile, "PRAGMA journal_mode")[0][0]);

        // D1 returns integers as JavaScript numbers (exact only to 2^53), so the big ones are also read as text.
        var rows = _d1.Query("SELECT id, name, n, CAST(n AS TEXT) AS n_text, score, hex(photo) AS photo_hex, "
            + "typeof(name) AS t_name, typeof(n) AS t_n, typeof(score) AS t_score, typeof(photo) AS t_photo FROM people ORDER BY id");

        Assert.Equal(Values.Length, rows.Count);
        for (var i = 0; i < Values.Length; i++)
        {
            var expected = Values[i];
            var actual = rows[i];
            Assert.Equal((long)expected[0]!, actual["id"].GetInt64());
            AssertText(expected[1] as string, actual["name"]);
            Assert.Equal(TypeOf(expected[1]), actual["t_name"].GetString());

            Assert.Equal(TypeOf(expected[2]), actual["t_n"].GetString());
            if (expected[2] is long n)
            {
                Assert.Equal(n.ToString(CultureInfo.InvariantCulture), actual["n_text"].GetString());
                if (Math.Abs((double)n) <= 9007199254740991d) Assert.Equal(n, actual["n"].GetInt64());
            }
            else Assert.Equal(JsonValueKind.Null, actual["n"].ValueKind);

            Assert.Equal(TypeOf(expected[3]), actual["t_score"].GetString());
            if (expected[3] is double d) Assert.Equal(d, actual["score"].GetDouble());
            else Assert.Equal(JsonValueKind.Null, actual["score"].ValueKind);

            Assert.Equal(TypeOf(expected[4]), actual["t_photo"].GetString());
            Assert.Equal(expected[4] is byte[] b ? System.Convert.ToHexString(b) : "", actual["photo_hex"].GetString());
        }
    }

    [Fact]
    public void A_table_the_target_created_takes_writes_through_wrangler_and_vice_versa()
    {
        var odd = D1("Order \"Lines\"", [Col("order id", D1Type.Text, false), Col("line", D1Type.Integer, false), Col("qty", D1Type.Real)], 0, 1);
        Write(_d1.StateFile, new ImportOptions(), [R(People, 1L, "Ann", 1L, 1.0, null), R(odd, "A-1", 1L, 2.5)]);

        // D1 accepts the DDL the target wrote: its own inserts go through, and its constraints hold.
        var results = _d1.Execute(""""
            INSERT INTO people (id, name, n, score, photo) VALUES (2, 'Bob', 2, 2.5, X'00');
            INSERT INTO "Order ""Lines""" ("order id", line, qty) VALUES ('A-1', 2, 1.0);
            SELECT count(*) AS c FROM people;
            SELECT "order id" AS o, line, qty FROM "Order ""Lines""" ORDER BY line;
            """");
        Assert.Equal(2, results[2][0]["c"].GetInt64());
        Assert.Equal([("A-1", 1L, 2.5), ("A-1", 2L, 1.0)], results[3].Select(r => (r["o"].GetString(), r["line"].GetInt64(), r["qty"].GetDouble())));
        var duplicate = Assert.Throws<InvalidOperationException>(() => _d1.Execute("INSERT INTO people (id) VALUES (1)"));
        Assert.Contains("UNIQUE constraint failed: people.id", duplicate.Message, StringComparison.Ordinal);

        // And the target writes again into the file wrangler has just written.
        var second = Write(_d1.StateFile, new ImportOptions { OnConflict = OnConflict.Upsert }, [R(People, 2L, "Bob v2", 2L, 2.5, null), R(People, 3L, "Cy", 3L, null, null)]);
        Assert.Equal(2, second.Summary("people").RowsWritten);
        var people = _d1.Query("SELECT id, name FROM people ORDER BY id");
        Assert.Equal([(1L, "Ann"), (2L, "Bob v2"), (3L, "Cy")], people.Select(r => (r["id"].GetInt64(), r["name"].GetString()!)));
    }

    static void AssertText(string? expected, JsonElement actual)
    {
        if (expected is null) Assert.Equal(JsonValueKind.Null, actual.ValueKind);
        else Assert.Equal(expected, actual.GetString());
    }

    static string TypeOf(object? value) => value switch
    {
        null => "null",
        long => "integer",
        double => "real",
        string => "text",
        _ => "blob",
    };
}
