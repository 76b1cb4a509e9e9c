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
/// </summary>
internal sealed class ArrayConverter : ValueConverter
{
    [ThreadStatic] static StringBuilder? t_json;

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
        ArrayLiteral.AppendJson(json, literal, _delimiter, _element);
        var result = json.ToString();
        if (json.Capacity > 1 << 20) t_json = null; // do not keep a huge buffer alive per thread
        return result;
    }
}
