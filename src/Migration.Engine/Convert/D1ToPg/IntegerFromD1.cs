using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>INTEGER -> smallint/integer/bigint, range-checked. A REAL or TEXT is refused (SQLite stored it so on purpose).</summary>
internal sealed class IntegerFromD1(PgType type) : FromD1Converter
{
    readonly int _bytes = type.Name switch { "smallint" => 2, "integer" => 4, _ => 8 };

    public override D1Type Type => D1Type.Integer;

    public override object? Convert(object value)
    {
        if (value is not long l) throw Unexpected(value, type.Name);
        return _bytes switch
        {
            // Boxed per arm: a switch of short, int and long would widen all three to long.
            2 when l is >= short.MinValue and <= short.MaxValue => (object)(short)l,
            4 when l is >= int.MinValue and <= int.MaxValue => (object)(int)l,
            8 => (object)l,
            _ => throw new ValueRejectedException($"INTEGER {l} does not fit {type.Name}"),
        };
    }
}
