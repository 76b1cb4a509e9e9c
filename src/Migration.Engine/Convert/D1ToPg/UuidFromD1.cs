using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// TEXT UUID (any case; the 8-4-4-4-12 form) or a 16-byte BLOB (RFC 4122 byte order) -> uuid.
/// Text that is not a UUID is refused, except in a key or foreign-key column
/// (<paramref name="mayBeMapped"/>): there it stays TEXT, for the Postgres target's id map
/// (<c>Import-PgTable -IdMap Generate</c>) to replace by a new UUID, or refuse without one.
/// </summary>
internal sealed class UuidFromD1(bool mayBeMapped) : FromD1Converter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value)
    {
        switch (value)
        {
            case string s when s.Length == 36 && Guid.TryParseExact(s, "D", out var g):
                return g;
            case string s when mayBeMapped:
                if (s.Length == 0) throw new ValueRejectedException("an empty TEXT is not an id");
                return s;
            case string s:
                throw new ValueRejectedException($"TEXT \"{ValueExcerpt.Of(s, 40)}\" is not a UUID");
            case byte[] { Length: 16 } b:
                return new Guid(b, bigEndian: true);
            case long l when mayBeMapped:
                return l.ToString(System.Globalization.CultureInfo.InvariantCulture);
            default:
                throw Unexpected(value, "uuid");
        }
    }
}
