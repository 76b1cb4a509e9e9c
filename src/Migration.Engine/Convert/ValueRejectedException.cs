namespace Migration.Engine.Convert;

/// <summary>
/// Raised by a converter when a value cannot be converted without changing it. It carries only
/// the reason: the converter does not know the row, so <see cref="RowConverter"/> catches it and
/// raises a <see cref="ConversionException"/> that names table, key, column and value.
/// </summary>
internal sealed class ValueRejectedException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
