using System.Globalization;
using System.Text;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// A TOML reader for wrangler.toml: tables, arrays of tables, dotted keys, basic/literal strings
/// (single- and multi-line), integers, floats, booleans, dates (kept as text), arrays and inline
/// tables. Tables become <c>Dictionary&lt;string, object?&gt;</c>, arrays <c>List&lt;object?&gt;</c>.
/// A syntax it does not know is an error naming the line, never a guess.
/// </summary>
internal sealed class TomlDocument
{
    readonly string _text;
    readonly string _source;
    int _pos;
    int _line = 1;

    TomlDocument(string text, string source)
    {
        _text = text;
        _source = source;
    }

    public static Dictionary<string, object?> Parse(string text, string source) => new TomlDocument(text, source).ParseDocument();

    Dictionary<string, object?> ParseDocument()
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        var current = root;
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (_pos >= _text.Length) return root;
            if (_text[_pos] == '[')
            {
                var array = _pos + 1 < _text.Length && _text[_pos + 1] == '[';
                _pos += array ? 2 : 1;
                SkipSpaces();
                var path = ParseKeyPath();
                SkipSpaces();
                Expect(array ? "]]" : "]");
                current = array ? AppendTable(root, path) : OpenTable(root, path);
                EndOfLine();
                continue;
            }
            var keys = ParseKeyPath();
            SkipSpaces();
            Expect("=");
            SkipSpaces();
            var value = ParseValue();
            var target = current;
            for (var i = 0; i < keys.Count - 1; i++) target = Child(target, keys[i]);
            target[keys[^1]] = value;
            EndOfLine();
        }
    }

    Dictionary<string, object?> OpenTable(Dictionary<string, object?> root, List<string> path)
    {
        var t = root;
        foreach (var k in path) t = Child(t, k);
        return t;
    }

    Dictionary<string, object?> AppendTable(Dictionary<string, object?> root, List<string> path)
    {
        var t = root;
        for (var i = 0; i < path.Count - 1; i++) t = Child(t, path[i]);
        if (!t.TryGetValue(path[^1], out var existing) || existing is null)
            t[path[^1]] = existing = new List<object?>();
        if (existing is not List<object?> list) throw Error($"'{path[^1]}' is not an array of tables");
        var table = new Dictionary<string, object?>(StringComparer.Ordinal);
        list.Add(table);
        return table;
    }

    Dictionary<string, object?> Child(Dictionary<string, object?> table, string key)
    {
        if (!table.TryGetValue(key, out var value) || value is null)
        {
            var created = new Dictionary<string, object?>(StringComparer.Ordinal);
            table[key] = created;
            return created;
        }
        return value switch
        {
            Dictionary<string, object?> d => d,
            List<object?> { Count: > 0 } l when l[^1] is Dictionary<string, object?> last => last, // [[a]] then [a.b]
            _ => throw Error($"'{key}' is a value, not a table"),
        };
    }

    List<string> ParseKeyPath()
    {
        var keys = new List<string> { ParseKey() };
        SkipSpaces();
        while (Peek() == '.')
        {
            _pos++;
            SkipSpaces();
            keys.Add(ParseKey());
            SkipSpaces();
        }
        return keys;
    }

    string ParseKey()
    {
        var c = Peek();
        if (c == '"') return ParseBasicString();
        if (c == '\'') return ParseLiteralString();
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '-')) _pos++;
        if (_pos == start) throw Error("a key was expected");
        return _text[start.._pos];
    }

    object? ParseValue()
    {
        var c = Peek();
        switch (c)
        {
            case '"':
                return StartsWith("\"\"\"") ? ParseMultilineBasic() : ParseBasicString();
            case '\'':
                return StartsWith("'''") ? ParseMultilineLiteral() : ParseLiteralString();
            case '[':
                return ParseArray();
            case '{':
                return ParseInlineTable();
        }
        if (StartsWith("true")) { _pos += 4; return true; }
        if (StartsWith("false")) { _pos += 5; return false; }
        var start = _pos;
        while (_pos < _text.Length && !(_text[_pos] is ',' or ']' or '}' or '#' or '\n' or '\r') && !(_text[_pos] == ' ' && !LooksLikeDateTimeSpace(start))) _pos++;
        var token = _text[start.._pos].Trim();
        if (token.Length == 0) throw Error("a value was expected");
        var plain = token.Replace("_", "", StringComparison.Ordinal);
        if (long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (plain.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(plain[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h)) return h;
        if (double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        if (plain is "inf" or "+inf") return double.PositiveInfinity;
        if (plain == "-inf") return double.NegativeInfinity;
        if (plain is "nan" or "+nan" or "-nan") return double.NaN;
        if (char.IsAsciiDigit(token[0])) return token; // a date or time: kept as written
        throw Error($"'{token}' is not a TOML value");
    }

    // "1979-05-27 07:32:00Z": a space between a date and a time belongs to the value.
    bool LooksLikeDateTimeSpace(int start) =>
        _pos - start == 10 && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1]) && _text[start + 4] == '-';

    List<object?> ParseArray()
    {
        Expect("[");
        var list = new List<object?>();
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (Peek() == ']') { _pos++; return list; }
            list.Add(ParseValue());
            SkipWhitespaceCommentsAndNewlines();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == ']') { _pos++; return list; }
            throw Error("',' or ']' was expected in an array");
        }
    }

    Dictionary<string, object?> ParseInlineTable()
    {
        Expect("{");
        var table = new Dictionary<string, object?>(StringComparer.Ordinal);
        SkipSpaces();
        if (Peek() == '}') { _pos++; return table; }
        while (true)
        {
            SkipSpaces();
            var keys = ParseKeyPath();
            SkipSpaces();
            Expect("=");
            SkipSpaces();
            var target = table;
            for (var i = 0; i < keys.Count - 1; i++) target = Child(target, keys[i]);
            target[keys[^1]] = ParseValue();
            SkipSpaces();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == '}') { _pos++; return table; }
            throw Error("',' or '}' was expected in an inline table");
        }
    }

    string ParseBasicString()
    {
        Expect("\"");
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] is '\n' or '\r') throw Error("a string is not closed");
            var c = _text[_pos++];
            if (c == '"') return sb.ToString();
            if (c == '\\') Escape(sb);
            else sb.Append(c);
        }
    }

    string ParseMultilineBasic()
    {
        _pos += 3;
        SkipOneNewline();
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("a multi-line string is not closed");
            if (StartsWith("\"\"\"") && !StartsWith("\"\"\"\"")) { _pos += 3; return sb.ToString(); }
            var c = _text[_pos++];
            if (c == '\n') _line++;
            if (c != '\\') { sb.Append(c); continue; }
            if (Peek() is ' ' or '\t' or '\n' or '\r')
            {
                // Line-ending backslash: trims the newline and the whitespace that follows.
                while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r') { if (_text[_pos] == '\n') _line++; _pos++; }
                continue;
            }
            Escape(sb);
        }
    }

    string ParseLiteralString()
    {
        Expect("'");
        var end = _text.IndexOf('\'', _pos);
        var newline = _text.IndexOf('\n', _pos);
        if (end < 0 || (newline >= 0 && newline < end)) throw Error("a string is not closed");
        var s = _text[_pos..end];
        _pos = end + 1;
        return s;
    }

    string ParseMultilineLiteral()
    {
        _pos += 3;
        SkipOneNewline();
        var end = _text.IndexOf("'''", _pos, StringComparison.Ordinal);
        if (end < 0) throw Error("a multi-line string is not closed");
        var s = _text[_pos..end];
        _line += s.Count(ch => ch == '\n');
        _pos = end + 3;
        return s;
    }

    void Escape(StringBuilder sb)
    {
        if (_pos >= _text.Length) throw Error("a string ends in an escape");
        var e = _text[_pos++];
        switch (e)
        {
            case 'b': sb.Append('\b'); break;
            case 't': sb.Append('\t'); break;
            case 'n': sb.Append('\n'); break;
            case 'f': sb.Append('\f'); break;
            case 'r': sb.Append('\r'); break;
            case 'e': sb.Append('\u001b'); break;
            case '"': sb.Append('"'); break;
            case '\\': sb.Append('\\'); break;
            case 'u':
            case 'U':
                var n = e == 'u' ? 4 : 8;
                if (_pos + n > _text.Length || !int.TryParse(_text.AsSpan(_pos, n), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    throw Error("a \\u escape needs hex digits");
                sb.Append(char.ConvertFromUtf32(code));
                _pos += n;
                break;
            default:
                throw Error($"'\\{e}' is not a TOML escape");
        }
    }

    void SkipOneNewline()
    {
        if (StartsWith("\r\n")) { _pos += 2; _line++; }
        else if (Peek() == '\n') { _pos++; _line++; }
    }

    void EndOfLine()
    {
        SkipSpaces();
        if (Peek() == '#') while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
        if (_pos < _text.Length && _text[_pos] is not ('\n' or '\r')) throw Error("unexpected text after a value");
    }

    void SkipSpaces()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t') _pos++;
    }

    void SkipWhitespaceCommentsAndNewlines()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n') { _line++; _pos++; }
            else if (c is ' ' or '\t' or '\r') _pos++;
            else if (c == '#') { while (_pos < _text.Length && _text[_pos] != '\n') _pos++; }
            else return;
        }
    }

    char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    bool StartsWith(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    void Expect(string s)
    {
        if (!StartsWith(s)) throw Error($"'{s}' was expected");
        _pos += s.Length;
    }

    CloudflareConfigurationException Error(string what) => new($"{_source}, line {_line}: {what}.");
}
