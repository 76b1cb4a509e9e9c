namespace Migration.Engine.Tests.SqlText;

/// <summary>
/// The edge values a SQL literal must carry exactly (the local target's fidelity values and
/// more): integers beyond 2^53 and at both ends, reals that need all 17 digits, subnormals and
/// -0.0, text with quotes, NUL, CR, CRLF, emoji, statement separators and comment markers, and
/// BLOBs (empty, with 0x00). Shared by the SQLite check of <see cref="Schema.SqlQuote.Value"/>
/// and the .sql file target's proof through wrangler's local D1.
/// </summary>
public static class LiteralCorpus
{
    public static readonly object?[] Values =
    [
        null,
        0L, 1L, -1L, 42L, 9007199254740993L, -9007199254740993L, long.MaxValue, long.MinValue,
        0.1, -0.30000000000000004, 1e308, -1e308, 5e-324, double.Epsilon * 3, 1.0, -2.0, 1e16, 123456.789, double.MaxValue, double.MinValue, -0.0,
        "", "plain", "it's \"quoted\"", "''", "a\0b", "\0", "line1\nline2\r\nline3", "\r", "emoji 🦆 中文 ünï",
        "x'); DROP TABLE t; --", "/* not a comment */ -- nor this", "semi;colon;", "$1 ? :name @p", "back\\slash", "\t\v\f\u0001\u007f",
        Array.Empty<byte>(), new byte[] { 0 }, new byte[] { 0, 1, 255, 39, 59 },
    ];
}
