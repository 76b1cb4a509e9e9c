using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// Turns SQL with <c>$name</c> parameters (the journal's, written for SQLite) into a
/// <see cref="D1Statement"/>: each occurrence becomes the placeholder that keeps its value exact
/// over JSON (<see cref="D1Parameter.Placeholder"/>: integers as text behind <c>CAST(? AS INTEGER)</c>,
/// never a JSON number or boolean), bound in order. A name used twice is bound twice, so no
/// positional numbering is needed. Names inside string literals, quoted identifiers and
/// comments are left alone. <see cref="Inline"/> writes each value as a SQL literal instead, for
/// a chunk sent through D1's import API (a file binds nothing).
/// </summary>
internal static class D1NamedStatement
{
    public static D1Statement From(string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var bound = new List<D1Parameter>();
        var text = Substitute(sql, parameters, D1Parameter.From, p =>
        {
            bound.Add(p);
            return p.Placeholder;
        });
        if (bound.Count > D1Statement.MaxParameters)
            throw new ArgumentException($"The statement binds {bound.Count} values; D1 takes at most {D1Statement.MaxParameters}.", nameof(parameters));
        return new D1Statement(text, bound);
    }

    /// <summary>The SQL with each <c>$name</c> replaced by its value as a literal (<see cref="SqlQuote.Value"/>: exact, escaped).</summary>
    public static string Inline(string sql, IReadOnlyList<(string Name, object? Value)> parameters) =>
        Substitute(sql, parameters, SqlQuote.Value, literal => literal);

    static string Substitute<T>(string sql, IReadOnlyList<(string Name, object? Value)> parameters, Func<object?, T> convert, Func<T, string> use)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var values = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
            values[name.StartsWith('$') ? name : "$" + name] = convert(value switch { bool b => b ? 1L : 0L, int i => (long)i, _ => value });
        var text = new StringBuilder(sql.Length + 16 * values.Count);
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"' or '`' or '[')
            {
                var close = c == '[' ? ']' : c;
                var end = sql.IndexOf(close, i + 1);
                // A doubled quote inside a literal closes and reopens it: copying both halves keeps it whole.
                end = end < 0 ? sql.Length - 1 : end;
                text.Append(sql, i, end - i + 1);
                i = end;
                continue;
            }
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length - 1 : end;
                text.Append(sql, i, end - i + 1);
                i = end;
                continue;
            }
            if (c != '$' || i + 1 >= sql.Length || !IsNameChar(sql[i + 1]))
            {
                text.Append(c);
                continue;
            }
            var start = i;
            i++;
            while (i < sql.Length && IsNameChar(sql[i])) i++;
            var name = sql[start..i];
            i--;
            if (!values.TryGetValue(name, out var parameter))
                throw new ArgumentException($"The SQL names the parameter {name}, which has no value.", nameof(parameters));
            text.Append(use(parameter));
        }
        return text.ToString();
    }

    static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
