using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Converts rows to their D1 form under one <see cref="ConversionOptions"/>. Plans each source
/// table once (target schema, one converter per column) and reuses the plan for every row.
/// </summary>
public sealed class RowConverter
{
    public RowConverter(ConversionOptions options) => throw new NotImplementedException();

    public ConversionOptions Options => throw new NotImplementedException();

    /// <summary>The D1 schema rows of <paramref name="source"/> convert to (renames, exclusions, computed columns applied).</summary>
    public TableSchema TargetSchemaFor(TableSchema source) => throw new NotImplementedException();

    /// <summary>Converts one Postgres row; throws <see cref="ConversionException"/> naming table, key, column and value.</summary>
    public Row Convert(Row source) => throw new NotImplementedException();

    /// <summary>
    /// Converts one plain object (a hashtable, or a JSON/CSV record) for table <paramref name="tableName"/>.
    /// With <paramref name="target"/> (the existing D1 table) values are coerced to its columns' types;
    /// without it the first object of a table fixes the columns and their types are inferred.
    /// </summary>
    public Row ConvertPlain(string tableName, IEnumerable<KeyValuePair<string, object?>> properties, TableSchema? target = null)
        => throw new NotImplementedException();
}
