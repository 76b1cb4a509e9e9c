using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Converts the non-NULL values of one Postgres type family to one D1 storage class. A converter
/// is built per column at plan time with that column's settings and is pure afterwards: the same
/// value always gives the same result, or a <see cref="ValueRejectedException"/> saying why it
/// cannot be converted without change. NULL never reaches a converter (NULL stays NULL).
/// </summary>
internal abstract class ValueConverter
{
    /// <summary>The storage class the converted values have (the D1 column's declared type).</summary>
    public abstract D1Type Type { get; }

    /// <summary>Converts a non-NULL source value (the CLR type <see cref="PgTypeFamily"/> names) to long, double, string or byte[] (null only where an option says so, e.g. NonFinite Null).</summary>
    public abstract object? Convert(object value);

    /// <summary>
    /// Appends one non-NULL array element, given in Postgres' text form, as a JSON value. The
    /// default is a JSON string holding the text; families with a JSON counterpart override it.
    /// </summary>
    public virtual void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text) => JsonText.AppendString(json, text);

    /// <summary>
    /// Whether an element embeds as the JSON <c>null</c> an SQL NULL element also becomes (only a
    /// json/jsonb <c>null</c> does); such an array is written in its text form instead (see <see cref="ArrayConverter"/>).
    /// </summary>
    public virtual bool EmbedsAsNull(ReadOnlySpan<char> text) => false;

    /// <summary>The rejection for a value of a CLR type the family's contract does not name.</summary>
    protected ValueRejectedException WrongType(object value, string expected) =>
        new($"expected {expected} for this column's type, got {value.GetType().Name}");
}
