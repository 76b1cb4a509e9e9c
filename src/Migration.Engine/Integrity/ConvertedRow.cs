using Migration.Engine.Convert;

namespace Migration.Engine.Integrity;

/// <summary>
/// One source row as the migration would have written it: its converted D1 values, or the
/// conversion error that kept it out of the target.
/// </summary>
readonly record struct ConvertedRow(object?[]? Values, ConversionException? Failure);
