using System.Text;

namespace Migration.Engine.Source;

/// <summary>Quoting of SQL identifiers and literals for statements that cannot take parameters.</summary>
public static class PgIdentifier
{
    /// <summary><c>"name"</c> with embedded double quotes doubled: safe for any name, keeps its case.</summary>
    public static string Quote(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('\0')) throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><c>"schema"."table"</c> (or just <c>"table"</c> when <paramref name="schema"/> is null).</summary>
    public static string QuoteQualified(string? schema, string name) =>
        schema is null ? Quote(name) : Quote(schema) + "." + Quote(name);

    /// <summary>
    /// <c>'text'</c> with single quotes doubled. Only correct with standard_conforming_strings on
    /// (backslashes are then ordinary characters); the exporter sets and verifies that.
    /// </summary>
    public static string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0')) throw new ArgumentException("A Postgres string cannot contain a NUL character.", nameof(value));
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        return sb.ToString();
    }
}
