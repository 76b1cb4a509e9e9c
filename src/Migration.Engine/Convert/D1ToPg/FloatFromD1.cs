using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// REAL (or an INTEGER a double holds exactly) -> double precision / real. The TEXT
/// <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> (what <c>-NonFinite Text</c> writes) read back
/// as those values. Into <c>real</c> only a value a float holds exactly.
/// </summary>
internal sealed class FloatFromD1(PgType type) : FromD1Converter
{
    readonly bool _single = type.Name == "real";

    public override D1Type Type => D1Type.Real;

    public override object? Convert(object value)
    {
        var d = value switch
        {
            double r => r,
            long l when (long)(double)l == l && l != long.MaxValue => l,
            long l => throw new ValueRejectedException($"INTEGER {l} is not exact as a {type.Name}"),
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => throw Unexpected(value, type.Name),
        };
        if (!_single) return d;
        var f = (float)d;
        if (!double.IsNaN(d) && (double)f != d) throw new ValueRejectedException($"{RealText(d)} is not exact as a real (float4); the column would round it");
        return f;
    }
}
