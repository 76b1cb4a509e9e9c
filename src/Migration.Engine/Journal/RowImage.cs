using System.Buffers.Binary;
using System.Text;
using Migration.Engine.Integrity;

namespace Migration.Engine.Journal;

/// <summary>
/// A lossless byte form of a list of SQLite values (a row's before-image, a checkpoint key):
/// the Integrity layer's canonical encoding, which keeps each value's storage class and exact
/// payload, so a restored row is bit for bit the row that was there (<c>1</c> stays INTEGER,
/// <c>1.0</c> REAL, <c>''</c> is not NULL). JSON would lose REAL precision and cannot hold a BLOB.
/// </summary>
internal static class RowImage
{
    public static byte[] Encode(IEnumerable<object?> values)
    {
        var encoder = new CanonicalEncoder(CanonicalText.Utf8);
        foreach (var v in values) encoder.AppendValue(v is DBNull ? null : v, "(image)");
        return encoder.Written.ToArray();
    }

    public static object?[] Decode(ReadOnlySpan<byte> image)
    {
        var values = new List<object?>();
        var at = 0;
        while (at < image.Length)
        {
            var tag = image[at++];
            switch (tag)
            {
                case CanonicalEncoder.Null: values.Add(null); break;
                case CanonicalEncoder.Integer:
                    values.Add(BinaryPrimitives.ReadInt64LittleEndian(image[at..]));
                    at += 8;
                    break;
                case CanonicalEncoder.Real:
                    values.Add(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(image[at..])));
                    at += 8;
                    break;
                case CanonicalEncoder.Text or CanonicalEncoder.Blob:
                    var n = BinaryPrimitives.ReadInt32LittleEndian(image[at..]);
                    at += 4;
                    var payload = image.Slice(at, n);
                    values.Add(tag == CanonicalEncoder.Text ? Encoding.UTF8.GetString(payload) : payload.ToArray());
                    at += n;
                    break;
                default:
                    throw new InvalidDataException($"A journal row image is damaged (unknown value tag {tag}).");
            }
        }
        return [.. values];
    }
}
