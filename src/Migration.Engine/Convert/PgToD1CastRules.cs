using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// The one lookup table from <see cref="PgTypeFamily"/> to its converter. Converters are built
/// per column at plan time, so each already holds that column's settings.
/// </summary>
internal static class ConverterTable
{
    static readonly Dictionary<PgTypeFamily, Func<PgType, ColumnSettings, ValueConverter>> Factories = new()
    {
        [PgTypeFamily.Boolean] = (_, _) => new BooleanConverter(),
        [PgTypeFamily.Integer] = (_, _) => new IntegerConverter(),
        [PgTypeFamily.Float] = (_, s) => new FloatConverter(s.NonFinite),
        [PgTypeFamily.Numeric] = (t, s) => new NumericConverter(t, s),
        [PgTypeFamily.Money] = (t, s) => new NumericConverter(t, s),
        [PgTypeFamily.Text] = (_, _) => new TextConverter(),
        [PgTypeFamily.Uuid] = (_, _) => new UuidConverter(),
        [PgTypeFamily.TimestampTz] = (_, s) => new DateTimeTimestampConverter(withTimeZone: true, s),
        [PgTypeFamily.Timestamp] = (_, s) => new DateTimeTimestampConverter(withTimeZone: false, s),
        [PgTypeFamily.Date] = (_, _) => new DateTimeDateConverter(),
        [PgTypeFamily.Time] = (_, _) => new DateTimeTimeConverter(),
        [PgTypeFamily.Json] = (_, _) => new JsonConverter(),
        [PgTypeFamily.Jsonb] = (_, _) => new JsonConverter(),
        [PgTypeFamily.Bytea] = (_, _) => new ByteaConverter(),
        [PgTypeFamily.Array] = (t, s) => new ArrayConverter(t, s),
        [PgTypeFamily.TextForm] = (_, _) => new TextConverter(),
    };

    public static ValueConverter For(PgType type, ColumnSettings settings) =>
        Factories.TryGetValue(type.Family, out var factory)
            ? factory(type, settings)
            : throw new ArgumentOutOfRangeException(nameof(type), type.Family, $"No converter for type family {type.Family}.");

    /// <summary>Every family has a converter (checked by a test, so a new family cannot be forgotten).</summary>
    internal static bool Covers(PgTypeFamily family) => Factories.ContainsKey(family);
}
