using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// The D1 -> PostgreSQL cast rules (after pgloader's sqlite-cast-rules, but driven by the
/// EXISTING Postgres column's type read from the catalog, not by SQLite's declared type, which
/// D1 apps rarely keep exact): one registration per Postgres type family, pointing at the
/// converter that reads D1 values into that family, losslessly or not at all. The column given
/// to <see cref="For(Column, ColumnSettings)"/> is the target column (its <see cref="Column.PgType"/>).
/// Table-wide settings (<see cref="D1ToPgSettings"/>: -AssumeTimeZone, -EpochUnit) are bound by
/// <see cref="With"/>.
/// </summary>
internal sealed class D1ToPgCastRules : ICastRules
{
    public static D1ToPgCastRules Instance { get; } = new(D1ToPgSettings.Default);

    static readonly Dictionary<PgTypeFamily, Func<PgType, D1ToPgSettings, bool, ValueConverter>> Registrations = new()
    {
        [PgTypeFamily.Boolean] = (_, _, _) => new BooleanFromD1(),
        [PgTypeFamily.Integer] = (t, _, _) => new IntegerFromD1(t),
        [PgTypeFamily.Float] = (t, _, _) => new FloatFromD1(t),
        [PgTypeFamily.Numeric] = (t, _, _) => new NumericFromD1(t),
        [PgTypeFamily.Money] = (t, _, _) => new NumericFromD1(t),
        [PgTypeFamily.Text] = (_, _, _) => new TextFromD1(),
        [PgTypeFamily.Uuid] = (_, _, id) => new UuidFromD1(id),
        [PgTypeFamily.TimestampTz] = (t, s, _) => new DateTimeFromD1(t, s),
        [PgTypeFamily.Timestamp] = (t, s, _) => new DateTimeFromD1(t, s),
        [PgTypeFamily.Date] = (t, s, _) => new DateTimeFromD1(t, s),
        [PgTypeFamily.Time] = (t, s, _) => new DateTimeFromD1(t, s),
        [PgTypeFamily.Json] = (_, _, _) => new JsonFromD1(binary: false),
        [PgTypeFamily.Jsonb] = (_, _, _) => new JsonFromD1(binary: true),
        [PgTypeFamily.Bytea] = (_, _, _) => new ByteaFromD1(),
        [PgTypeFamily.Array] = (t, _, _) => new ArrayFromD1(t),
        [PgTypeFamily.TextForm] = (_, _, _) => new TextFromD1(),
    };

    readonly D1ToPgSettings _settings;

    D1ToPgCastRules(D1ToPgSettings settings) => _settings = settings;

    public static D1ToPgCastRules With(D1ToPgSettings settings) => new(settings);

    public SchemaKind Source => SchemaKind.D1;
    public SchemaKind Target => SchemaKind.Postgres;

    public ValueConverter For(Column source, ColumnSettings settings) =>
        For(source.PgType ?? throw new ArgumentException($"Column {source.Name} has no Postgres type.", nameof(source)), mayBeMapped: false);

    /// <summary>The converter into one Postgres type; <paramref name="mayBeMapped"/>: a uuid key or foreign-key column (non-UUID text is left to the id map).</summary>
    public ValueConverter For(PgType type, bool mayBeMapped) =>
        Registrations.TryGetValue(type.Family, out var factory)
            ? factory(type, _settings, mayBeMapped)
            : throw new ArgumentOutOfRangeException(nameof(type), type.Family, $"No D1 -> Postgres converter for type family {type.Family}.");

    public Column TargetColumn(Column source, string name, ValueConverter converter) =>
        new(name, source.PgType, converter.Type, source.IsNullable, source.Name);

    /// <summary>Every family has a converter (checked by a test).</summary>
    internal static bool Covers(PgTypeFamily family) => Registrations.ContainsKey(family);
}
