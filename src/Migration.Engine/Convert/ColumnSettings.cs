namespace Migration.Engine.Convert;

/// <summary>
/// The mapping settings in force for one column: the table-wide <see cref="ConversionOptions"/>
/// with that column's <see cref="ColumnOverride"/> applied. Resolved once, at plan time.
/// </summary>
internal readonly record struct ColumnSettings(
    TimestampFormat TimestampFormat,
    NumericMode NumericAs,
    NonFiniteMode NonFinite,
    bool AllowPrecisionLoss)
{
    public static ColumnSettings From(ConversionOptions options, ColumnOverride? o = null) => new(
        o?.TimestampFormat ?? options.TimestampFormat,
        o?.NumericAs ?? options.NumericAs,
        o?.NonFinite ?? options.NonFinite,
        options.AllowPrecisionLoss);

    public bool IsUnixTime => TimestampFormat is TimestampFormat.UnixSeconds or TimestampFormat.UnixMilliseconds;
}
