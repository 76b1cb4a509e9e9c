using System.Globalization;
using System.Text;

namespace Migration.Engine.Convert;

/// <summary>
/// Reads Postgres' array literal (<c>{a,NULL,"b,c",{…}}</c>) and writes it as a compact JSON
/// array, converting each element with the element type's converter. Follows array_in's rules:
/// quoted elements with <c>\"</c> and <c>\\</c> escapes, backslash escapes in unquoted elements,
/// whitespace around elements ignored (inside quotes kept), unquoted <c>NULL</c> (any case) is
/// NULL while quoted <c>"NULL"</c> is the string, <c>{}</c> is empty, nested braces are
/// dimensions. A dimension prefix (<c>[0:1]={1,2}</c>) whose lower bounds are not all 1 cannot be
/// said in JSON and is a rejection, never dropped silently.
/// </summary>
internal ref struct ArrayLiteral
{
    readonly ReadOnlySpan<char> _s;
    readonly char _delimiter;
    readonly ValueConverter _element;
    readonly StringBuilder _json;
    int _pos;
    int _index;
    char[] _scratch;

    ArrayLiteral(ReadOnlySpan<char> s, char delimiter, ValueConverter element, StringBuilder json)
    {
        _s = s;
        _delimiter = delimiter;
        _element = element;
        _json = json;
        _scratch = [];
    }

    /// <summary>
    /// Appends the JSON array for <paramref name="literal"/> to <paramref name="json"/>, or stops
    /// and returns false at the first element that would embed as the JSON null an SQL NULL
    /// element also is (<see cref="ValueConverter.EmbedsAsNull"/>); what was appended is then
    /// incomplete and the caller writes the array in another form.
    /// </summary>
    public static bool AppendJson(StringBuilder json, string literal, char delimiter, ValueConverter element)
    {
        var p = new ArrayLiteral(literal, delimiter, element, json);
        return p.Parse();
    }

    bool _ambiguousNull;

    bool Parse()
    {
        SkipSpace();
        if (_pos < _s.Length && _s[_pos] == '[') ParseBounds();
        SkipSpace();
        ParseLevel();
        if (_ambiguousNull) return false;
        SkipSpace();
        if (_pos != _s.Length) throw Malformed("text after the closing brace");
        return true;
    }

    /// <summary>Reads <c>[lb:ub][lb:ub]…=</c>; anything but lower bound 1 is a rejection.</summary>
    void ParseBounds()
    {
        while (_pos < _s.Length && _s[_pos] == '[')
        {
            var close = _s[_pos..].IndexOf(']');
            if (close < 0) throw Malformed("unterminated dimension");
            var dim = _s.Slice(_pos + 1, close - 1);
            var colon = dim.IndexOf(':');
            if (colon >= 0)
            {
                if (!int.TryParse(dim[..colon], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var lower))
                    throw Malformed("bad dimension");
                if (lower != 1)
                    throw new ValueRejectedException(
                        $"array has lower bound {lower} ({dim}); a JSON array cannot say where its indexes start, so the bound would be lost");
            }
            _pos += close + 1;
        }
        SkipSpace();
        if (_pos >= _s.Length || _s[_pos] != '=') throw Malformed("dimensions not followed by '='");
        _pos++;
    }

    void ParseLevel()
    {
        if (_pos >= _s.Length || _s[_pos] != '{') throw Malformed("expected '{'");
        _pos++;
        _json.Append('[');
        SkipSpace();
        if (_pos < _s.Length && _s[_pos] == '}')
        {
            _pos++;
            _json.Append(']');
            return;
        }
        bool? nested = null;
        while (true)
        {
            SkipSpace();
            if (_pos >= _s.Length) throw Malformed("unterminated array");
            var isSub = _s[_pos] == '{';
            if (nested is { } n && n != isSub) throw Malformed("mixed dimensions");
            nested = isSub;
            if (isSub) ParseLevel();
            else ParseElement();
            if (_ambiguousNull) return;
            SkipSpace();
            if (_pos >= _s.Length) throw Malformed("unterminated array");
            var c = _s[_pos++];
            if (c == '}') break;
            if (c != _delimiter) throw Malformed($"unexpected '{c}'");
            _json.Append(',');
        }
        _json.Append(']');
    }

    void ParseElement()
    {
        _index++;
        ReadOnlySpan<char> text;
        if (_s[_pos] == '"')
        {
            _pos++;
            var start = _pos;
            var escaped = false;
            while (true)
            {
                if (_pos >= _s.Length) throw Malformed("unterminated quoted element");
                var c = _s[_pos];
                if (c == '"') break;
                if (c == '\\') { escaped = true; _pos++; }
                _pos++;
            }
            text = escaped ? Unescape(_s[start.._pos]) : _s[start.._pos];
            _pos++;
        }
        else
        {
            var start = _pos;
            var escaped = false;
            var end = _pos; // end of the last character that is not trailing whitespace
            while (_pos < _s.Length)
            {
                var c = _s[_pos];
                if (c == _delimiter || c == '}') break;
                if (c is '{' or '"') throw Malformed($"unexpected '{c}' in an unquoted element");
                if (c == '\\')
                {
                    escaped = true;
                    _pos += 2;
                    end = Math.Min(_pos, _s.Length);
                    continue;
                }
                _pos++;
                if (!IsSpace(c)) end = _pos;
            }
            if (end == start) throw Malformed("empty unquoted element");
            var raw = _s[start..end];
            if (!escaped && raw.Equals("NULL", StringComparison.OrdinalIgnoreCase))
            {
                _json.Append("null");
                return;
            }
            text = escaped ? Unescape(raw) : raw;
        }
        if (_element.EmbedsAsNull(text))
        {
            _ambiguousNull = true;
            return;
        }
        try
        {
            _element.AppendJsonElement(_json, text);
        }
        catch (ValueRejectedException e)
        {
            throw new ValueRejectedException($"array element {_index.ToString(CultureInfo.InvariantCulture)}: {e.Reason}");
        }
    }

    ReadOnlySpan<char> Unescape(ReadOnlySpan<char> raw)
    {
        if (_scratch.Length < raw.Length) _scratch = new char[Math.Max(raw.Length, 64)];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\\' && i + 1 < raw.Length) c = raw[++i];
            _scratch[n++] = c;
        }
        return _scratch.AsSpan(0, n);
    }

    void SkipSpace()
    {
        while (_pos < _s.Length && IsSpace(_s[_pos])) _pos++;
    }

    /// <summary>Postgres' scanner_isspace: space, tab, newline, carriage return, vertical tab, form feed.</summary>
    static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    ValueRejectedException Malformed(string what) =>
        new($"malformed array literal: {what} at position {_pos.ToString(CultureInfo.InvariantCulture)}");
}
