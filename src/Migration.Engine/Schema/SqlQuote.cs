using System.Text;

namespace Migration.Engine.Schema;

/// <summary>
/// The one place SQL text is quoted, for the statements that cannot take a parameter (names,
/// DDL defaults, keyset literals). Postgres and SQLite agree on both rules: an identifier is
/// double-quoted with embedded <c>"</c> doubled (case kept, any character safe), a string
/// literal single-quoted with embedded <c>'</c> doubled. Values in DML are always bound instead.
/// </summary>
public static class SqlQuote
{
    /// <summary><c>"name"</c> with embedded double quotes doubled: safe for any name, keeps its case.</summary>
    public static string Identifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Both servers read the statement as a C string in places: a NUL would end it early.
        if (name.Contains('\0')) throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The names quoted one by one and joined with <c>", "</c>.</summary>
    public static string Identifiers(IEnumerable<string> names) => string.Join(", ", names.Select(Identifier));

    /// <summary><c>"schema"."table"</c> (or just <c>"table"</c> when <paramref name="schema"/> is null).</summary>
    public static string Qualified(string? schema, string name) =>
        schema is null ? Identifier(name) : Identifier(schema) + "." + Identifier(name);

    /// <summary>
    /// <c>'text'</c> with single quotes doubled. Backslashes stay ordinary characters: SQLite has
    /// no escapes, and Postgres has none with standard_conforming_strings on (the exporter sets
    /// and verifies that before it sends a literal).
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0')) throw new ArgumentException("A SQL string literal cannot contain a NUL character.", nameof(value));
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        return sb.ToString();
    }
}
