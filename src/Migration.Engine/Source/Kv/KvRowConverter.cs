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
        var result = new List<(Row?, ConversionException?)>();
        List<KvRowShaper.Shaped> shaped;
        try
        {
            shaped = _shaper.Shape(record);
        }
        catch (KvShapeException e)
        {
            result.Add((null, new ConversionException(tableName, e.Origin, e.Column ?? "(value)", e.ValueExcerpt, e.Reason)));
            return result;
        }
        foreach (var s in shaped)
        {
            try
            {
                result.Add((converter.ConvertPlain(tableName, s.Properties, target, s.Origin), null));
            }
            catch (ConversionException e)
            {
                result.Add((null, e));
            }
            catch (MappingException e)
            {
                result.Add((null, new ConversionException(tableName, s.Origin, "(row)", "", e.Message)));
            }
        }
        return result;
    }
}
