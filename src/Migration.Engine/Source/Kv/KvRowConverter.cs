using Migration.Engine.Convert;
using Migration.Engine.Schema;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// KV entries to D1 rows for one table: <see cref="KvRowShaper"/> makes the records, and
/// <see cref="RowConverter.ConvertPlain"/> converts each under the mapping options, coerced to
/// the existing table's column types when its schema is given. A record that fails (the entry
/// is not JSON, the key does not match, a value does not fit its column) fails alone, as a
/// <see cref="ConversionException"/> whose key names the KV key.
/// </summary>
public sealed class KvRowConverter(RowConverter converter, KvShapeOptions shape)
{
    readonly KvRowShaper _shaper = new(shape);

    /// <summary>The rows of one entry, each either converted or its failure, in the entry's order.</summary>
    public List<(Row? Row, ConversionException? Error)> Convert(KvRecord record, string tableName, TableSchema? target)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        List<KvRowShaper.Shaped> shaped;
        try
        {
            shaped = Shape(record);
        }
        catch (KvShapeException e)
        {
            return [(null, new ConversionException(tableName, e.Origin, e.Column ?? "(value)", e.ValueExcerpt, e.Reason))];
        }
        return [.. shaped.Select(s => Convert(s, tableName, target))];
    }

    /// <summary>The records of one entry (throws <see cref="KvShapeException"/> when it cannot become rows).</summary>
    public List<KvRowShaper.Shaped> Shape(KvRecord record) => _shaper.Shape(record);

    /// <summary>One shaped record as a row of <paramref name="tableName"/>, or its failure.</summary>
    public (Row? Row, ConversionException? Error) Convert(KvRowShaper.Shaped shaped, string tableName, TableSchema? target)
    {
        try
        {
            return (converter.ConvertPlain(tableName, shaped.Properties, target, shaped.Origin), null);
        }
        catch (ConversionException e)
        {
            return (null, e);
        }
        catch (MappingException e)
        {
            return (null, new ConversionException(tableName, shaped.Origin, "(row)", "", e.Message));
        }
    }
}
