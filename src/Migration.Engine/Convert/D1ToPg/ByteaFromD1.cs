using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>BLOB -> bytea, the same bytes. TEXT is refused (which bytes it means would be a guess).</summary>
internal sealed class ByteaFromD1 : FromD1Converter
{
    public override D1Type Type => D1Type.Blob;

    public override object? Convert(object value) => value is byte[] b ? b : throw Unexpected(value, "bytea");
}
