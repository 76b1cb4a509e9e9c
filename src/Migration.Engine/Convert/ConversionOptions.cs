using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>How timestamp and timestamptz values are written to D1.</summary>
public enum TimestampFormat
{
    /// <summary>TEXT <c>YYYY-MM-DDTHH:MM:SS.ffffffZ</c> (timestamptz, UTC) or without Z (timestamp). Sortable, lossless.</summary>
    Iso8601,
    /// <summary>TEXT <c>YYYY-MM-DD HH:MM:SS.ffffff</c> (UTC for timestamptz): SQLite's own datetime() layout.</summary>
    SqliteDateTime,
    /// <summary>INTEGER seconds since 1970-01-01 UTC; a sub-second part is an error unless precision loss is allowed.</summary>
    UnixSeconds,
    /// <summary>INTEGER milliseconds since 1970-01-01 UTC; a sub-millisecond part is an error unless precision loss is allowed.</summary>
    UnixMilliseconds,
}

/// <summary>How numeric values are written to D1.</summary>
public enum NumericMode
{
    /// <summary>REAL when the declared precision is 1..15 (every such value is exact in a double), else TEXT.</summary>
    Auto,
    /// <summary>Always REAL; a value a double cannot hold exactly is an error (lossless or loud).</summary>
    Real,
    /// <summary>Always TEXT with Postgres' exact digits and scale.</summary>
    Text,
}

/// <summary>What to do with NaN and ±Infinity, which D1's REAL cannot store.</summary>
public enum NonFiniteMode
{
    /// <summary>The row fails with a conversion error (default).</summary>
    Error,
    /// <summary>TEXT <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> in the column.</summary>
    Text,
    /// <summary>NULL: an explicit, opted-in loss.</summary>
    Null,
}

/// <summary>Per-column settings that override the table-wide ones.</summary>
public sealed record ColumnOverride(
    TimestampFormat? TimestampFormat = null,
    NumericMode? NumericAs = null,
    NonFiniteMode? NonFinite = null);

/// <summary>
/// A column computed from the converted row (the slow path, opt-in). The function sees the
/// source row and returns a value that must already be a D1 value (long, double, string,
/// byte[] or null) or one the plain-value rules can convert.
/// </summary>
public sealed record ComputedColumn(string Table, string Name, D1Type Type, Func<Row, object?> Compute, bool IsNullable = true);

/// <summary>
/// The whole mapping policy. Names in the maps may be given as <c>table.column</c> (table by its
/// source name, schema-qualified or not) or as a bare <c>column</c> that applies to every table.
/// </summary>
public sealed class ConversionOptions
{
    public TimestampFormat TimestampFormat { get; init; } = TimestampFormat.Iso8601;
    public NumericMode NumericAs { get; init; } = NumericMode.Auto;
    public NonFiniteMode NonFinite { get; init; } = NonFiniteMode.Error;

    /// <summary>Allows the Unix timestamp formats to drop a sub-second (sub-millisecond) part.</summary>
    public bool AllowPrecisionLoss { get; init; }

    /// <summary>Source table -> target table name.</summary>
    public IReadOnlyDictionary<string, string> TableMap { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The source tables <see cref="TableMap"/> names, in a fixed (ordinal) order: a check of
    /// "the tables the map names" reports them in the same order every time, whatever order
    /// the map's dictionary (a PowerShell hashtable) enumerates them in.
    /// </summary>
    public IReadOnlyList<string> MappedSourceTables => [.. TableMap.Keys.Order(StringComparer.Ordinal)];

    /// <summary><c>table.column</c> or <c>column</c> -> new column name.</summary>
    public IReadOnlyDictionary<string, string> ColumnMap { get; init; } = new Dictionary<string, string>();

    /// <summary><c>table.column</c> or <c>column</c> to leave out.</summary>
    public IReadOnlyCollection<string> Exclude { get; init; } = [];

    /// <summary><c>table.column</c> or <c>column</c> -> overrides.</summary>
    public IReadOnlyDictionary<string, ColumnOverride> ColumnOverrides { get; init; } = new Dictionary<string, ColumnOverride>();

    public IReadOnlyList<ComputedColumn> Computed { get; init; } = [];

    public static ConversionOptions Default { get; } = new();
}
