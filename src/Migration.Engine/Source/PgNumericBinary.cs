using System.Buffers.Binary;

namespace Migration.Engine.Source;

/// <summary>
/// Decodes numeric's binary wire form into a <see cref="decimal"/> that keeps the value's
/// display scale (1.5000 stays 1.5000). Done here rather than by Npgsql because Npgsql throws
/// on NaN, which numeric(p,s) columns accept: NaN (and ±Infinity) come back as Postgres' text.
/// </summary>
public static class PgNumericBinary
{
    const ushort Positive = 0x0000, Negative = 0x4000, NaN = 0xC000, PositiveInfinity = 0xD000, NegativeInfinity = 0xF000;

    static readonly UInt128 MaxMantissa = (UInt128.One << 96) - 1;

    /// <summary>
    /// A <see cref="decimal"/>, or the string <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c>.
    /// Throws <see cref="OverflowException"/> when the value has more than 28 fraction digits or
    /// more digits than a decimal holds (never for a numeric(p,s) with p and s at most 28).
    /// </summary>
    /// <remarks>
    /// Layout: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits base-10000
    /// digits; the value is the sum of digit[i] * 10000^(weight - i).
    /// </remarks>
    public static object Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8) throw new FormatException("numeric value shorter than its header.");
        var ndigits = BinaryPrimitives.ReadInt16BigEndian(data);
        var weight = BinaryPrimitives.ReadInt16BigEndian(data[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var dscale = BinaryPrimitives.ReadInt16BigEndian(data[6..]);
        switch (sign)
        {
            case NaN: return "NaN";
            case PositiveInfinity: return "Infinity";
            case NegativeInfinity: return "-Infinity";
            case Positive or Negative: break;
            default: throw new FormatException($"numeric value with unknown sign 0x{sign:X4}.");
        }
        if (ndigits < 0 || data.Length != 8 + 2 * ndigits) throw new FormatException("numeric value with a wrong length.");
        if (dscale is < 0 or > 28) throw new OverflowException($"numeric value with {dscale} fraction digits does not fit a decimal.");

        // mantissa * 10^exp10 is the value; then scale it to exactly dscale fraction digits.
        UInt128 mantissa = 0;
        for (var i = 0; i < ndigits; i++)
        {
            var digit = BinaryPrimitives.ReadInt16BigEndian(data[(8 + 2 * i)..]);
            if (digit is < 0 or > 9999) throw new FormatException("numeric value with a digit out of range.");
            mantissa = checked(mantissa * 10000 + (UInt128)digit);
        }
        var exp10 = 4 * (weight - ndigits + 1) + dscale;
        if (ndigits == 0) exp10 = 0;
        for (; exp10 > 0; exp10--) mantissa = checked(mantissa * 10);
        for (; exp10 < 0; exp10++)
        {
            var q = UInt128.DivRem(mantissa, 10);
            // Postgres never sends digits past dscale; if it did, dropping them would change the value.
            if (q.Remainder != 0) throw new OverflowException("numeric value with more digits than its scale.");
            mantissa = q.Quotient;
        }
        if (mantissa > MaxMantissa) throw new OverflowException("numeric value has more digits than a decimal holds.");
        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), sign == Negative, (byte)dscale);
    }
}
