using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>INTEGER 0/1 -> boolean. Any other value (2, -1, 'true', 0.5) is refused: it is not the boolean D1 apps store.</summary>
internal sealed class BooleanFromD1 : FromD1Converter
{
    public override D1Type Type => D1Type.Integer;

    public override object? Convert(object value) => value switch
    {
        0L => false,
        1L => true,
        long l => throw new ValueRejectedException($"INTEGER {l} is not a boolean (only 0 and 1 are)"),
        _ => throw Unexpected(value, "boolean (only INTEGER 0 and 1 are booleans)"),
    };
}
