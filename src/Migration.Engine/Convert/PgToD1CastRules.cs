using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// The PostgreSQL -> D1 cast rules: one registration per Postgres type family, pointing at the
/// one converter class that owns that family (what the value becomes, which D1 storage class,
/// what is refused). Converters are built per column at plan time, so each already holds that
/// column's settings. The default policy's storage class of a source column is the registered
/// converter's, under default settings: there is no second table of D1 types.
/// </summary>
internal sealed class PgToD1CastRules : ICastRules
{
    public static PgToD1CastRules Instance { get; } = new();

    static readonly Dictionary<PgTypeFamily, Func<PgType, ColumnSettings, ValueConverter>> Registrations = new()
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

    static readonly ColumnSettings DefaultSettings = ColumnSettings.From(ConversionOptions.Default);

    PgToD1CastRules() { }

    public SchemaKind Source => SchemaKind.Postgres;
    public SchemaKind Target => SchemaKind.D1;

    public ValueConverter For(Column source, ColumnSettings settings) =>
        For(source.PgType ?? throw new ArgumentException($"Column {source.Name} has no Postgres type.", nameof(source)), settings);

    /// <summary>The D1 column: the source column's Postgres type kept, the converter's storage class.</summary>
    public Column TargetColumn(Column source, string name, ValueConverter converter) =>
        new(name, source.PgType, converter.Type, source.IsNullable, source.Name);

    /// <summary>The converter of one Postgres type (array elements are looked up here too).</summary>
    public ValueConverter For(PgType type, ColumnSettings settings) =>
        Registrations.TryGetValue(type.Family, out var factory)
            ? factory(type, settings)
            : throw new ArgumentOutOfRangeException(nameof(type), type.Family, $"No converter for type family {type.Family}.");

    /// <summary>
    /// The default policy's D1 storage class of a Postgres type (what a source column carries
    /// before any option applies): integers and booleans INTEGER, floats REAL, numeric REAL only
    /// when its declared precision is 1..15, bytea BLOB, everything else TEXT.
    /// </summary>
    public static D1Type DefaultD1Type(PgType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Instance.For(type, DefaultSettings).Type;
    }

    /// <summary>Every family has a converter (checked by a test, so a new family cannot be forgotten).</summary>
    internal static bool Covers(PgTypeFamily family) => Registrations.ContainsKey(family);
}
