using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// bytea -> BLOB, the bytes unchanged. (In arrays an element arrives as Postgres' hex text,
/// <c>\x0102</c>, and is kept as that JSON string: JSON has no bytes.)
/// </summary>
internal sealed class ByteaConverter : ValueConverter
{
    public override D1Type Type => D1Type.Blob;

    public override object? Convert(object value) => value as byte[] ?? throw WrongType(value, "Byte[]");
}
