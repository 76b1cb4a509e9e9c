using System.Text;
using System.Text.RegularExpressions;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// A key pattern such as <c>watchlist:{chat_id}</c> or <c>order:{user}:{id}</c>: literal text and
/// named fields. A key matches when its text is the literals with one or more characters in place
/// of each field (a field is as short as it can be, the last takes the rest); the fields become
/// columns of every row the key yields. <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
public sealed class KvKeyPattern
{
    readonly Regex _regex;

    KvKeyPattern(string text, Regex regex, IReadOnlyList<string> fields)
    {
        Text = text;
        _regex = regex;
        Fields = fields;
    }

    public string Text { get; }

    /// <summary>The field names, in the order they appear.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Parses a pattern; throws <see cref="ArgumentException"/> saying what is wrong with it.</summary>
    public static KvKeyPattern Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var regex = new StringBuilder("^");
        var literal = new StringBuilder();
        var fields = new List<string>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if ((c == '{' || c == '}') && i + 1 < pattern.Length && pattern[i + 1] == c) { literal.Append(c); i++; continue; }
            if (c == '}') throw new ArgumentException($"-KeyPattern '{pattern}': a '}}' at position {i + 1} closes no field (write }}}} for a literal brace).");
            if (c != '{') { literal.Append(c); continue; }
            var end = pattern.IndexOf('}', i + 1);
            if (end < 0) throw new ArgumentException($"-KeyPattern '{pattern}': the field opened at position {i + 1} is not closed with '}}'.");
            var name = pattern[(i + 1)..end].Trim();
            if (name.Length == 0 || name.Contains('{', StringComparison.Ordinal))
                throw new ArgumentException($"-KeyPattern '{pattern}': a field needs a name, e.g. {{chat_id}}.");
            if (fields.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"-KeyPattern '{pattern}': the field {{{name}}} appears twice.");
            if (fields.Count > 0 && literal.Length == 0)
                throw new ArgumentException($"-KeyPattern '{pattern}': fields {{{fields[^1]}}} and {{{name}}} touch; put literal text between them so the key can be split.");
            regex.Append(Regex.Escape(literal.ToString()));
            literal.Clear();
            regex.Append("(.+?)");
            fields.Add(name);
            i = end;
        }
        regex.Append(Regex.Escape(literal.ToString())).Append('$');
        var text = regex.ToString();
        // The last field takes the rest of the key (greedy), so "a:{x}" splits "a:b:c" as x = "b:c".
        if (fields.Count > 0 && literal.Length == 0) text = text[..text.LastIndexOf("(.+?)", StringComparison.Ordinal)] + "(.+)$";
        return new KvKeyPattern(pattern, new Regex(text, RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1)), fields);
    }

    /// <summary>The fields of <paramref name="key"/>, or null when the key does not match.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>>? Match(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var m = _regex.Match(key);
        if (!m.Success) return null;
        var result = new KeyValuePair<string, object?>[Fields.Count];
        for (var i = 0; i < Fields.Count; i++) result[i] = new(Fields[i], m.Groups[i + 1].Value);
        return result;
    }

    public override string ToString() => Text;
}
