using System.Globalization;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// A converter of the D1 -> PostgreSQL direction: takes a non-NULL D1 value (<c>long</c>,
/// <c>double</c>, <c>string</c> or <c>byte[]</c>, the value's own storage class) and returns the
/// value of the target column's type family in the CLR type <see cref="PgTypeFamily"/> names
/// (the same values Export-PgTable yields), or refuses it with the reason. <see cref="Type"/>
/// is the storage class the converter reads natively.
/// </summary>
internal abstract class FromD1Converter : ValueConverter
{
    /// <summary>The storage class a D1 value has, in words for messages.</summary>
    protected static string StorageClass(object value) => value switch
    {
        long => "INTEGER",
        double => "REAL",
        string => "TEXT",
        byte[] => "BLOB",
        _ => value.GetType().Name,
    };

    protected static ValueRejectedException Unexpected(object value, string target) =>
        new($"{StorageClass(value)} {ValueExcerpt.Of(value, 40)} cannot become {target} without a change");

    /// <summary>A REAL as the shortest text that reads back as the same double (what SQLite itself prints, to 17 digits).</summary>
    protected static string RealText(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
