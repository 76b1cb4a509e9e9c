using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>A column an expression may name: its D1 name and what its D1 values are.</summary>
internal sealed record ExpressionColumn(string D1Name, PgTypeFamily Family, D1Type D1Type, bool IsPaddedChar, bool IsEnum);

/// <summary>
/// Translates a Postgres expression, as <c>pg_get_expr</c> prints it, into SQLite, only where
/// the two provably mean the same on the converted values: column references, number, string
/// and boolean literals, <c>= &lt;&gt; &lt; &gt; &lt;= &gt;=</c> between numbers, <c>= &lt;&gt;</c>
/// between strings and booleans (ordering of strings depends on collations, which differ),
/// IN lists (<c>= ANY (ARRAY[...])</c>), IS [NOT] NULL, AND/OR/NOT, and lower(), upper(),
/// length() of text. Anything else gives the reason it was refused, never a guess.
/// </summary>
/// <remarks>
/// lower()/upper() of SQLite fold ASCII letters only: translated for the common ASCII case but
/// flagged through <see cref="Result.Note"/> so the caller can warn when it matters.
/// </remarks>
internal sealed class SqliteExpression
{
    enum Kind { Number, Text, Bool, Null, Other }

    sealed record Node(string Sql, Kind Kind, IReadOnlyList<Node>? Items = null, bool IsLiteral = false);

    public sealed record Result(string? Sql, string? Refusal, string? Note = null);

    sealed class Refused(string reason) : Exception(reason);

    readonly List<Token> _tokens;
    readonly Func<string, ExpressionColumn?> _resolve;
    readonly Func<string, bool> _isEnumType;
    int _pos;
    string? _note;

    SqliteExpression(List<Token> tokens, Func<string, ExpressionColumn?> resolve, Func<string, bool> isEnumType)
    {
        _tokens = tokens;
        _resolve = resolve;
        _isEnumType = isEnumType;
    }

    /// <summary>
    /// Translates <paramref name="expression"/>. <paramref name="resolve"/> maps a source column
    /// name (or <c>VALUE</c> in a domain check) to its D1 column, null when it is not there.
    /// <paramref name="predicate"/>: the result must be a truth value (CHECK, WHERE).
    /// </summary>
    public static Result Translate(string expression, Func<string, ExpressionColumn?> resolve, Func<string, bool> isEnumType, bool predicate)
    {
        try
        {
            var tokens = Tokenize(expression);
            var parser = new SqliteExpression(tokens, resolve, isEnumType);
            var node = parser.ParseOr();
            if (parser._pos != tokens.Count) throw new Refused($"\"{tokens[parser._pos].Text}\" is not understood here");
            if (predicate && node.Kind != Kind.Bool) throw new Refused("it is not a plain condition");
            if (node.Items is not null) throw new Refused("an array is not a value SQLite has");
            return new Result(StripOuter(node.Sql), null, parser._note);
        }
        catch (Refused r)
        {
            return new Result(null, r.Message);
        }
    }

    /// <summary>Drops one pair of parentheses around the whole text (the caller's CHECK (...) or WHERE supplies its own).</summary>
    static string StripOuter(string sql)
    {
        if (sql.Length < 2 || sql[0] != '(' || sql[^1] != ')') return sql;
        var depth = 0;
        var quote = '\0';
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"') { quote = c; continue; }
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0 && i < sql.Length - 1) return sql;
        }
        return sql[1..^1];
    }

    // ---- parsing -------------------------------------------------------------------------

    Node ParseOr()
    {
        var left = ParseAnd();
        while (IsWord("OR"))
        {
            _pos++;
            var right = ParseAnd();
            left = new Node($"({Bool(left).Sql} OR {Bool(right).Sql})", Kind.Bool);
        }
        return left;
    }

    Node ParseAnd()
    {
        var left = ParseNot();
        while (IsWord("AND"))
        {
            _pos++;
            var right = ParseNot();
            left = new Node($"({Bool(left).Sql} AND {Bool(right).Sql})", Kind.Bool);
        }
        return left;
    }

    Node ParseNot()
    {
        if (IsWord("NOT"))
        {
            _pos++;
            return new Node($"(NOT {Bool(ParseNot()).Sql})", Kind.Bool);
        }
        return ParseComparison();
    }

    Node ParseComparison()
    {
        var left = ParsePostfix();
        if (IsWord("IS"))
        {
            _pos++;
            var not = IsWord("NOT");
            if (not) _pos++;
            if (!IsWord("NULL")) throw new Refused("only IS NULL and IS NOT NULL are translated");
            _pos++;
            if (left.Items is not null) throw new Refused("IS NULL of an array");
            return new Node($"({left.Sql} IS {(not ? "NOT " : "")}NULL)", Kind.Bool);
        }
        if (Peek() is { Type: TokenType.Operator } op && op.Text is "=" or "<>" or "!=" or "<" or ">" or "<=" or ">=")
        {
            _pos++;
            if (IsWord("ANY") || IsWord("ALL"))
            {
                var all = IsWord("ALL");
                _pos++;
                Expect("(");
                var list = ParseOr();
                Expect(")");
                if (list.Items is null) throw new Refused("ANY/ALL over something other than an ARRAY[...] list");
                if (!all && op.Text != "=" || all && op.Text is not ("<>" or "!=")) throw new Refused($"{op.Text} {(all ? "ALL" : "ANY")} is not an IN list");
                foreach (var item in list.Items) CheckComparable(left, item, "=");
                return new Node($"({left.Sql} {(all ? "NOT IN" : "IN")} ({string.Join(", ", list.Items.Select(i => i.Sql))}))", Kind.Bool);
            }
            var right = ParsePostfix();
            CheckComparable(left, right, op.Text);
            return new Node($"({left.Sql} {(op.Text == "!=" ? "<>" : op.Text)} {right.Sql})", Kind.Bool);
        }
        if (Peek() is { Type: TokenType.Operator } other && other.Text is not (")" or "," or "]"))
            throw new Refused($"the operator {other.Text} is not translated");
        if (Peek() is { Type: TokenType.Word } word && !IsWord("AND") && !IsWord("OR"))
            throw new Refused($"{word.Text} is not translated");
        return left;
    }

    static void CheckComparable(Node left, Node right, string op)
    {
        if (left.Items is not null || right.Items is not null) throw new Refused("comparing arrays");
        if (left.Kind == Kind.Null || right.Kind == Kind.Null) throw new Refused("a comparison with NULL");
        if (left.Kind != right.Kind || left.Kind == Kind.Other)
            throw new Refused("it compares values whose D1 forms do not compare as the source's do");
        if (left.Kind is Kind.Text or Kind.Bool && op is not ("=" or "<>" or "!="))
            throw new Refused($"{op} between {(left.Kind == Kind.Text ? "strings depends on the collation" : "booleans")}, which SQLite does not share");
    }

    Node ParsePostfix()
    {
        var node = ParsePrimary();
        while (Peek() is { Type: TokenType.Operator, Text: "::" })
        {
            _pos++;
            node = Cast(node, ParseTypeName());
        }
        return node;
    }

    Node ParsePrimary()
    {
        var t = Peek() ?? throw new Refused("the expression ends early");
        switch (t.Type)
        {
            case TokenType.Operator when t.Text == "(":
            {
                _pos++;
                var inner = ParseOr();
                Expect(")");
                // Every composite node is already parenthesized; columns, literals and calls need none.
                return inner;
            }
            case TokenType.Operator when t.Text == "-" && Peek(1) is { Type: TokenType.Number }:
                _pos += 2;
                return new Node("-" + _tokens[_pos - 1].Text, Kind.Number, IsLiteral: true);
            case TokenType.Number:
                _pos++;
                return new Node(t.Text, Kind.Number, IsLiteral: true);
            case TokenType.String:
                _pos++;
                return new Node(SqlQuote.Literal(t.Text), Kind.Text, IsLiteral: true);
            case TokenType.QuotedIdentifier:
                _pos++;
                return ColumnNode(t.Text);
            case TokenType.Word:
                _pos++;
                var upper = t.Text.ToUpperInvariant();
                if (upper == "TRUE") return new Node("1", Kind.Bool, IsLiteral: true);
                if (upper == "FALSE") return new Node("0", Kind.Bool, IsLiteral: true);
                if (upper == "NULL") return new Node("NULL", Kind.Null, IsLiteral: true);
                if (upper == "ARRAY")
                {
                    Expect("[");
                    var items = new List<Node>();
                    if (Peek() is not { Text: "]" })
                    {
                        do items.Add(ParsePostfix());
                        while (TryTake(","));
                    }
                    Expect("]");
                    return new Node("", Kind.Other, items);
                }
                if (Peek() is { Type: TokenType.Operator, Text: "(" }) return Function(t.Text);
                return ColumnNode(t.Text);
            default:
                throw new Refused($"\"{t.Text}\" is not translated");
        }
    }

    Node ColumnNode(string name)
    {
        var c = _resolve(name) ?? throw new Refused($"it uses {name}, which is not a column of the D1 table");
        var quoted = SqlQuote.Identifier(c.D1Name);
        if (c.IsPaddedChar) return new Node(quoted, Kind.Other); // char(n) compares ignoring trailing blanks
        var kind = c.Family switch
        {
            PgTypeFamily.Integer when c.D1Type == D1Type.Integer => Kind.Number,
            PgTypeFamily.Float or PgTypeFamily.Numeric or PgTypeFamily.Money when c.D1Type is D1Type.Real or D1Type.Integer => Kind.Number,
            PgTypeFamily.Text => Kind.Text,
            PgTypeFamily.TextForm when c.IsEnum => Kind.Text,
            PgTypeFamily.Boolean when c.D1Type == D1Type.Integer => Kind.Bool,
            _ => Kind.Other,
        };
        return new Node(quoted, kind);
    }

    Node Function(string name)
    {
        Expect("(");
        var args = new List<Node>();
        if (Peek() is not { Text: ")" })
        {
            do args.Add(ParseOr());
            while (TryTake(","));
        }
        Expect(")");
        var lower = name.ToLowerInvariant();
        if (args.Count != 1 || args[0].Kind != Kind.Text || args[0].Items is not null)
            throw new Refused($"the function {name}() is not translated for these arguments");
        switch (lower)
        {
            case "lower" or "upper":
                _note = "SQLite's lower()/upper() change ASCII letters only; Postgres' change every letter";
                return new Node($"{lower}({args[0].Sql})", Kind.Text);
            case "length" or "char_length" or "character_length":
                return new Node($"length({args[0].Sql})", Kind.Number);
            default:
                throw new Refused($"the function {name}() has no SQLite equivalent this module can prove");
        }
    }

    Node Cast(Node node, string type)
    {
        var t = type.ToLowerInvariant();
        var isArray = t.EndsWith("[]", StringComparison.Ordinal);
        var element = isArray ? t[..t.IndexOf('[', StringComparison.Ordinal)] : t;
        if (node.Items is not null)
        {
            if (!isArray) throw new Refused("an array cast to a scalar type");
            return node with { Items = [.. node.Items.Select(i => Cast(i, element))] };
        }
        if (isArray) throw new Refused("a cast to an array type");
        var baseName = element.Contains('(', StringComparison.Ordinal) ? element[..element.IndexOf('(', StringComparison.Ordinal)] : element;
        switch (baseName)
        {
            case "text" or "character varying" or "varchar" or "name":
                if (node.Kind == Kind.Text) return node;
                break;
            case "integer" or "bigint" or "smallint" or "numeric" or "real" or "double precision" or "int" or "int4" or "int8" or "int2" or "float8" or "float4":
                if (node.Kind == Kind.Number) return node;
                if (node.IsLiteral && node.Kind == Kind.Text && TryNumber(Unquote(node.Sql), out var number))
                    return new Node(number, Kind.Number, IsLiteral: true);
                break;
            case "boolean" or "bool":
                if (node.Kind == Kind.Bool) return node;
                break;
            default:
                // A literal cast to an enum type is that label (its D1 value is the label's text).
                if (node.IsLiteral && node.Kind == Kind.Text && _isEnumType(type)) return node;
                break;
        }
        throw new Refused($"a cast to {type}");
    }

    static Node Bool(Node n) => n.Kind == Kind.Bool && n.Items is null ? n : throw new Refused("AND/OR/NOT of something that is not a condition");

    string ParseTypeName()
    {
        var sb = new StringBuilder();
        var first = true;
        while (Peek() is { } t && (t.Type == TokenType.QuotedIdentifier
            || t.Type == TokenType.Word && (first || t.Text.ToLowerInvariant() is "varying" or "precision" or "with" or "without" or "time" or "zone")))
        {
            if (!first) sb.Append(' ');
            sb.Append(t.Type == TokenType.QuotedIdentifier ? SqlQuote.Identifier(t.Text) : t.Text);
            _pos++;
            first = false;
            if (Peek() is { Text: "." } && Peek(1) is { Type: TokenType.Word or TokenType.QuotedIdentifier })
            {
                _pos++;
                sb.Append('.');
                first = true;
                sb.Append(Peek()!.Type == TokenType.QuotedIdentifier ? SqlQuote.Identifier(Peek()!.Text) : Peek()!.Text);
                _pos++;
                first = false;
            }
        }
        if (sb.Length == 0) throw new Refused("a cast without a type name");
        if (Peek() is { Text: "(" } && Peek(1) is { Type: TokenType.Number })
        {
            sb.Append('(');
            _pos++;
            while (Peek() is { } t && t.Text != ")") { sb.Append(t.Text); _pos++; }
            Expect(")");
            sb.Append(')');
        }
        while (Peek() is { Text: "[" } && Peek(1) is { Text: "]" })
        {
            _pos += 2;
            sb.Append("[]");
        }
        return sb.ToString();
    }

    static bool TryNumber(string text, out string normalized)
    {
        normalized = text;
        return text.Length > 0 && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
    }

    static string Unquote(string sqlLiteral) => sqlLiteral[1..^1].Replace("''", "'", StringComparison.Ordinal);



    Token? Peek(int ahead = 0) => _pos + ahead < _tokens.Count ? _tokens[_pos + ahead] : null;

    bool IsWord(string word) => Peek() is { Type: TokenType.Word } t && string.Equals(t.Text, word, StringComparison.OrdinalIgnoreCase);

    bool TryTake(string op)
    {
        if (Peek() is { Type: TokenType.Operator } t && t.Text == op) { _pos++; return true; }
        return false;
    }

    void Expect(string op)
    {
        if (!TryTake(op)) throw new Refused($"expected \"{op}\" at \"{Peek()?.Text ?? "the end"}\"");
    }

    // ---- tokens --------------------------------------------------------------------------

    enum TokenType { Word, QuotedIdentifier, String, Number, Operator }

    sealed record Token(TokenType Type, string Text);

    static List<Token> Tokenize(string s)
    {
        var list = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '\'')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= s.Length) throw new Refused("an unterminated string");
                    if (s[i] == '\'')
                    {
                        if (i + 1 < s.Length && s[i + 1] == '\'') { sb.Append('\''); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(s[i++]);
                }
                list.Add(new Token(TokenType.String, sb.ToString()));
            }
            else if (c == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= s.Length) throw new Refused("an unterminated quoted name");
                    if (s[i] == '"')
                    {
                        if (i + 1 < s.Length && s[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(s[i++]);
                }
                list.Add(new Token(TokenType.QuotedIdentifier, sb.ToString()));
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
                if (i < s.Length && (s[i] is 'e' or 'E')) throw new Refused("a number with an exponent");
                list.Add(new Token(TokenType.Number, s[start..i]));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '$')) i++;
                var word = s[start..i];
                // E'...' strings carry backslash escapes: not taken.
                if (i < s.Length && s[i] == '\'') throw new Refused("a string with a prefix (E'', B'', U&'')");
                list.Add(new Token(TokenType.Word, word));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "::" or "<>" or "!=" or "<=" or ">=")
                {
                    list.Add(new Token(TokenType.Operator, two));
                    i += 2;
                }
                else if (c is '(' or ')' or '[' or ']' or ',' or '=' or '<' or '>' or '-' or '.')
                {
                    list.Add(new Token(TokenType.Operator, c.ToString()));
                    i++;
                }
                else
                {
                    // ~~, ||, +, *, ->, @> ...: operators whose SQLite meaning differs or is missing.
                    var end = i;
                    while (end < s.Length && "+-*/<>=~!@#%^&|`?".Contains(s[end], StringComparison.Ordinal)) end++;
                    throw new Refused($"the operator {(end > i ? s[i..end] : c.ToString())} is not translated");
                }
            }
        }
        return list;
    }
}
