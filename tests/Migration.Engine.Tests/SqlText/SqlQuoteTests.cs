using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.SqlText;

/// <summary>The one quoting helper, checked against a real SQLite parser: what it quotes reads back unchanged.</summary>
public sealed class SqlQuoteTests
{
    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("Mixed Case", "\"Mixed Case\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("it's", "\"it's\"")]
    public void An_identifier_is_double_quoted_with_embedded_quotes_doubled(string name, string expected) =>
        Assert.Equal(expected, SqlQuote.Identifier(name));

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("''", "''''''")]
    [InlineData("back\\slash \"q\"", "'back\\slash \"q\"'")]
    public void A_literal_is_single_quoted_with_embedded_quotes_doubled(string value, string expected) =>
        Assert.Equal(expected, SqlQuote.Literal(value));

    [Fact]
    public void NUL_is_refused_in_names_and_literals_because_it_would_end_the_statement()
    {
        Assert.Throws<ArgumentException>(() => SqlQuote.Identifier("a\0b"));
        Assert.Throws<ArgumentException>(() => SqlQuote.Literal("a\0b"));
    }

    [Fact]
    public void Qualified_names_quote_each_part()
    {
        Assert.Equal("\"s\"\"x\".\"t.y\"", SqlQuote.Qualified("s\"x", "t.y"));
        Assert.Equal("\"t\"", SqlQuote.Qualified(null, "t"));
    }

    [Theory]
    [InlineData("we\"ird; DROP TABLE x; --")]
    [InlineData("o'clock")]
    [InlineData("\"\"")]
    [InlineData("ünï 🦆")]
    public void What_is_quoted_reads_back_unchanged_in_SQLite(string text)
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"CREATE TABLE {SqlQuote.Identifier(text)} ({SqlQuote.Identifier(text)} TEXT); INSERT INTO {SqlQuote.Identifier(text)} VALUES ({SqlQuote.Literal(text)});";
        cmd.ExecuteNonQuery();
        cmd.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table'";
        Assert.Equal(text, cmd.ExecuteScalar());
        cmd.CommandText = $"SELECT {SqlQuote.Identifier(text)} FROM {SqlQuote.Identifier(text)}";
        Assert.Equal(text, cmd.ExecuteScalar());
    }
}
