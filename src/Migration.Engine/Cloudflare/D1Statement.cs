using System.Text;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// One SQL statement and its bound parameters, as the API's <c>{sql, params}</c>. D1 refuses
/// parameters together with several statements in one <c>sql</c> (400/7400), and allows at most
/// 100 parameters and 100,000 bytes of SQL per statement.
/// </summary>
public sealed class D1Statement
{
    /// <summary>D1's limit on bound parameters per statement.</summary>
    public const int MaxParameters = 100;

    /// <summary>D1's limit on the SQL text of one statement, in UTF-8 bytes.</summary>
    public const int MaxSqlBytes = 100_000;

    public D1Statement(string sql, IReadOnlyList<D1Parameter>? parameters = null)
    {
        Sql = sql ?? throw new ArgumentNullException(nameof(sql));
        Parameters = parameters ?? [];
    }

    public string Sql { get; }

    public IReadOnlyList<D1Parameter> Parameters { get; }

    /// <summary>
    /// A statement from a template whose <c>{0}</c>, <c>{1}</c>... stand for the values: each is
    /// replaced by its parameter's <see cref="D1Parameter.Placeholder"/> (so 64-bit integers, REALs
    /// and infinities arrive exactly) and bound in order of appearance. Write <c>{{</c>/<c>}}</c>
    /// for literal braces.
    /// </summary>
    public static D1Statement Of(string template, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parameters = values.Select(D1Parameter.From).ToArray();
        var sql = new StringBuilder(template.Length + 16 * parameters.Length);
        var bound = new List<D1Parameter>(parameters.Length);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{') { sql.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}') { sql.Append('}'); i++; continue; }
            if (c != '{') { sql.Append(c); continue; }
            var end = template.IndexOf('}', i);
            if (end < 0 || !int.TryParse(template.AsSpan(i + 1, end - i - 1), out var index) || index < 0 || index >= parameters.Length)
                throw new FormatException($"'{template}' has a placeholder at position {i} that is not {{0}}..{{{parameters.Length - 1}}}.");
            sql.Append(parameters[index].Placeholder);
            bound.Add(parameters[index]);
            i = end;
        }
        return new D1Statement(sql.ToString(), bound);
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        // Sent as written: wrangler turns CRLF into LF (the server's splitter mishandles CRLF in
        // trigger bodies), but that would also change a CRLF inside a string literal. Values go
        // as parameters here; a caller sending CRLF in trigger SQL normalises it itself.
        writer.WriteString("sql", Sql);
        if (Parameters.Count > 0)
        {
            writer.WriteStartArray("params");
            foreach (var p in Parameters) p.WriteTo(writer);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    public override string ToString() => Parameters.Count == 0 ? Sql : $"{Sql} [{Parameters.Count} parameter(s)]";
}
