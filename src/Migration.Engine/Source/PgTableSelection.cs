using System.Text;
using System.Text.RegularExpressions;

namespace Migration.Engine.Source;

/// <summary>
/// Which tables a whole-database export takes (Export-PgTable -All): every ordinary and
/// partitioned table of the matching schemas, never a system schema (pg_catalog,
/// information_schema, pg_toast, temporary schemas) and never a partition on its own (its rows
/// come through its parent). Patterns use PowerShell's wildcards (<c>*</c>, <c>?</c>,
/// <c>[abc]</c>) and ignore case; a table pattern with a dot matches <c>schema.name</c>, one
/// without matches the bare <c>name</c> (in any selected schema).
/// </summary>
/// <param name="Schemas">Schema patterns; empty: every non-system schema.</param>
/// <param name="Tables">Table patterns; empty: every table.</param>
/// <param name="ExcludeTables">Table patterns to leave out.</param>
public sealed record PgTableSelection(
    IReadOnlyList<string>? Schemas = null,
    IReadOnlyList<string>? Tables = null,
    IReadOnlyList<string>? ExcludeTables = null)
{
    public static PgTableSelection All { get; } = new();

    /// <summary>Whether a schema is a system schema (never exported).</summary>
    public static bool IsSystemSchema(string schema) =>
        schema is "pg_catalog" or "information_schema" or "pg_toast"
        || schema.StartsWith("pg_temp_", StringComparison.Ordinal)
        || schema.StartsWith("pg_toast_temp_", StringComparison.Ordinal);

    public bool Includes(string schema, string table)
    {
        if (IsSystemSchema(schema)) return false;
        if (Schemas is { Count: > 0 } && !Schemas.Any(p => Wildcard.Matches(p, schema))) return false;
        if (Tables is { Count: > 0 } && !Tables.Any(p => MatchesTable(p, schema, table))) return false;
        return !(ExcludeTables ?? []).Any(p => MatchesTable(p, schema, table));
    }

    /// <summary>A pattern with a dot is matched against <c>schema.name</c>, one without against the name alone.</summary>
    static bool MatchesTable(string pattern, string schema, string table) =>
        pattern.Contains('.', StringComparison.Ordinal) ? Wildcard.Matches(pattern, schema + "." + table) : Wildcard.Matches(pattern, table);
}

/// <summary>PowerShell-style wildcard matching (<c>*</c>, <c>?</c>, <c>[...]</c>, backtick escapes), case-insensitive.</summary>
public static class Wildcard
{
    public static bool Matches(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        return Regex.IsMatch(text, ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;

    static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0) { sb.Append(@"\["); break; }
                    var set = pattern[(i + 1)..end];
                    sb.Append('[').Append(set.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("^", @"\^", StringComparison.Ordinal)).Append(']');
                    i = end;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.Append('$').ToString();
    }
}
