using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Migration.Engine.Integrity;

/// <summary>
/// Writes D1 values into one reusable buffer in a canonical byte form that both sides of a check
/// produce identically: each value is its SQLite storage class (one byte) followed by its exact
/// payload. So <c>''</c> and NULL, <c>'1'</c> and <c>1</c>, <c>1.0</c> and <c>1</c> encode
/// differently, and a changed character, a lost CR, a rounded REAL or a shifted timestamp changes
/// the bytes. Text and blobs carry a length prefix (it keeps <c>('ab','c')</c> apart from
/// <c>('a','bc')</c>). No allocation per value once the buffer has grown.
/// </summary>
/// <remarks>
/// Text has two forms (<see cref="CanonicalText"/>). Hashing uses UTF-16: a .NET string is
/// hashed as it is, with no transcoding on the side that reads Postgres (the busier one), and
/// text SQLite returns as UTF-8 is transcoded on the other. UTF-16 also keeps a lone surrogate
/// apart from the U+FFFD that UTF-8 would make of it, and stored bytes that are not valid UTF-8
/// get their own tag, so they never hash like any string. Stored images (the journal) use
/// UTF-8, as SQLite does; that form is part of the journal's file format and does not change.
/// </remarks>
sealed class CanonicalEncoder(CanonicalText text = CanonicalText.Utf16)
{
    /// <summary>SQLite's storage classes, numbered as sqlite3_column_type numbers them.</summary>
    public const byte Integer = 1, Real = 2, Text = 3, Blob = 4, Null = 5;

    /// <summary>TEXT whose stored bytes are not valid UTF-8 (UTF-16 form only): never equal to a string's encoding.</summary>
    public const byte InvalidText = 6;

    readonly CanonicalText _text = text;
    byte[] _buffer = new byte[256];
    int _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Reset() => _length = 0;

    public void AppendNull() => Reserve(1)[0] = Null;

    public void AppendInteger(long value)
    {
        var s = Reserve(9);
        s[0] = Integer;
        BinaryPrimitives.WriteInt64LittleEndian(s[1..], value);
    }

    /// <summary>The exact bits: -0.0 and 0.0 differ, as they may in a REAL column.</summary>
    public void AppendReal(double value)
    {
        var s = Reserve(9);
        s[0] = Real;
        BinaryPrimitives.WriteInt64LittleEndian(s[1..], BitConverter.DoubleToInt64Bits(value));
    }

    public void AppendText(string value)
    {
        if (_text == CanonicalText.Utf16)
        {
            AppendBytes(Text, MemoryMarshal.AsBytes(value.AsSpan()));
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var s = Reserve(5 + max);
        var n = Encoding.UTF8.GetBytes(value, s[5..]);
        s[0] = Text;
        BinaryPrimitives.WriteInt32LittleEndian(s[1..], n);
        _length -= max - n;
    }

    /// <summary>Text as SQLite stores it (UTF-8): encodes exactly as <see cref="AppendText"/> does for the same string.</summary>
    public void AppendTextUtf8(ReadOnlySpan<byte> utf8)
    {
        if (_text == CanonicalText.Utf8)
        {
            AppendBytes(Text, utf8);
            return;
        }
        // At most one UTF-16 unit per UTF-8 byte.
        var s = Reserve(5 + 2 * utf8.Length);
        var status = Utf8.ToUtf16(utf8, MemoryMarshal.Cast<byte, char>(s[5..]), out _, out var chars, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            _length -= s.Length;
            AppendBytes(InvalidText, utf8);
            return;
        }
        s[0] = Text;
        BinaryPrimitives.WriteInt32LittleEndian(s[1..], 2 * chars);
        _length -= 2 * (utf8.Length - chars);
    }

    public void AppendBlob(ReadOnlySpan<byte> value) => AppendBytes(Blob, value);

    /// <summary>A converted value: long, double, string, byte[] or null (the converter's contract).</summary>
    public void AppendValue(object? value, string column)
    {
        switch (value)
        {
            case null: AppendNull(); break;
            case long l: AppendInteger(l); break;
            case double d: AppendReal(d); break;
            case string t: AppendText(t); break;
            case byte[] b: AppendBlob(b); break;
            default:
                throw new InvalidOperationException(
                    $"Column {column}: a converted value of type {value.GetType().Name} is not a D1 value (long, double, string, byte[] or null).");
        }
    }

    void AppendBytes(byte tag, ReadOnlySpan<byte> payload)
    {
        var s = Reserve(5 + payload.Length);
        s[0] = tag;
        BinaryPrimitives.WriteInt32LittleEndian(s[1..], payload.Length);
        payload.CopyTo(s[5..]);
    }

    Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var s = _buffer.AsSpan(_length, count);
        _length += count;
        return s;
    }
}
