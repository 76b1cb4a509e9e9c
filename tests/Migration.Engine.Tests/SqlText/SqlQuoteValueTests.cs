using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.SqlText;

/// <summary>
/// <see cref="SqlQuote.Value"/> read by a real SQLite parser: every corpus value comes back as
/// the same storage class and the same value, and no value changes the statement around it.
/// </summary>
public sealed class SqlQuoteValueTests
{
    [Fact]
    public void Every_corpus_value_reads_back_with_its_storage_class_and_value_through_SQLite()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        foreach (var value in LiteralCorpus.Values)
        {
            using var command = connection.CreateCommand();
            // A trailing marker column proves the literal did not swallow or end the statement.
            command.CommandText = "SELECT " + SqlQuote.Value(value) + ", typeof(" + SqlQuote.Value(value) + "), 'end'";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(TypeOf(value), reader.GetString(1));
            Assert.Equal("end", reader.GetString(2));
            switch (value)
            {
                case null: Assert.True(reader.IsDBNull(0)); break;
                case long l: Assert.Equal(l, reader.GetInt64(0)); break;
                case double d: Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(reader.GetDouble(0))); break;
                case string s: Assert.Equal(s, reader.GetString(0)); break;
                case byte[] b: Assert.Equal(b, (byte[])reader.GetValue(0)); break;
            }
        }
    }

    public static string TypeOf(object? value) => value switch
    {
        null => "null",
        long => "integer",
        double => "real",
        string => "text",
        _ => "blob",
    };

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1e16, "10000000000000000.0")]
    [InlineData(1e22, "1E+22")]
    [InlineData(123456.789, "123456.789")]
    // Texts D1's SQLite does not convert exactly (-1.5E-300 read back as -1.4999999999999998E-300): exact binary expressions.
    [InlineData(1e300, "(CAST(1681218273811815 AS REAL) * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 4611686018427387904 * 65536)")]
    [InlineData(0.30000000000000004, "(CAST(1351079888211149 AS REAL) / 4503599627370496)")]
    [InlineData(0.1, "0.1")]
    public void A_real_is_its_shortest_round_trip_text_and_never_looks_like_an_integer(double value, string expected) =>
        Assert.Equal(expected, SqlQuote.Value(value));

    [Fact]
    public void Integers_are_exact_text_and_text_with_NUL_or_CR_becomes_UTF8_bytes()
    {
        Assert.Equal("9007199254740993", SqlQuote.Value(9007199254740993L));
        Assert.Equal("(-9223372036854775807 - 1)", SqlQuote.Value(long.MinValue));
        Assert.Equal("'it''s'", SqlQuote.Value("it's"));
        Assert.Equal("CAST(X'610062' AS TEXT)", SqlQuote.Value("a\0b"));
        Assert.Equal("CAST(X'0D0A' AS TEXT)", SqlQuote.Value("\r\n"));
        Assert.Equal("X''", SqlQuote.Value(Array.Empty<byte>()));
    }

    [Fact]
    public void Values_no_literal_holds_exactly_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SqlQuote.Value(double.NaN));
        Assert.Throws<ArgumentException>(() => SqlQuote.Value(double.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => SqlQuote.Value("bad \uD800 surrogate"));
        Assert.Throws<ArgumentException>(() => SqlQuote.Value(true));
        Assert.Throws<ArgumentException>(() => SqlQuote.Value(1.5m));
    }
}
