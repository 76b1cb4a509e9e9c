using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Any array (any element type, any number of dimensions, NULL elements) -> TEXT holding a
/// compact JSON array: <c>{a,NULL,"b,c"}</c> becomes <c>["a",null,"b,c"]</c>, <c>{{1,2},{3,4}}</c>
/// becomes <c>[[1,2],[3,4]]</c>. Elements convert as their own type would, into JSON: booleans
/// true/false; integers and numeric as JSON numbers with Postgres' digits verbatim (exact, scale
/// kept); floats as numbers (NaN/Infinity per NonFinite); json/jsonb embedded as JSON; dates and
/// timestamps in the same text as a scalar column (numbers under the Unix formats); everything
/// else a JSON string of Postgres' text. Only box[] uses ';' between elements.
/// <para>
/// A json/jsonb array with a JSON <c>null</c> element cannot embed its elements: that element and
/// an SQL NULL element would both read <c>null</c>. Such an array (and only such an array) is
/// written in its text form, an object: <c>{"json_text":["null",null]}</c>, every element the
/// string of its JSON text, an SQL NULL element <c>null</c>, the dimensions kept. A top-level
/// object never occurs otherwise (arrays are JSON arrays), so a reader can tell the two forms
/// apart; docs/type-mapping.md says how to read it.
/// </para>
/// </summary>
internal sealed class ArrayConverter : ValueConverter
{
    [ThreadStatic] static StringBuilder? t_json;

    /// <summary>The key of the text form's object.</summary>
    public const string TextFormKey = "json_text";

    static readonly TextConverter ElementText = new();

    readonly ValueConverter _element;
    readonly char _delimiter;

    public ArrayConverter(PgType type, ColumnSettings settings)
    {
        var element = type.Element ?? new PgType("text", PgTypeFamily.Text);
        // An array of arrays is not a Postgres type (arrays are multi-dimensional instead);
        // an element family of Array can only be a catalog oddity, so it is read as text.
        _element = element.Family == PgTypeFamily.Array ? new TextConverter() : PgToD1CastRules.Instance.For(element, settings);
        _delimiter = element.Name == "box" ? ';' : ',';
    }

    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value)
    {
        if (value is not string literal) throw WrongType(value, "String (array literal)");
        var json = t_json ??= new StringBuilder(256);
        json.Clear();
        if (!ArrayLiteral.AppendJson(json, literal, _delimiter, _element))
        {
            json.Clear();
            json.Append("{\"").Append(TextFormKey).Append("\":");
            ArrayLiteral.AppendJson(json, literal, _delimiter, ElementText);
            json.Append('}');
        }
        var result = json.ToString();
        if (json.Capacity > 1 << 20) t_json = null; // do not keep a huge buffer alive per thread
        return result;
    }
}
