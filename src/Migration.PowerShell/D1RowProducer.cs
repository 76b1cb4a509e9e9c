using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source.Kv;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.PowerShell;

/// <summary>
/// What ConvertTo-D1Row and Import-D1Batch do with one pipeline object: a D1 row passes
/// unchanged, a Postgres row goes through the engine's fast path (<see cref="RowConverter.Convert"/>),
/// and a plain object is read into name/value pairs and converted for a named table, coerced to
/// the existing D1 table's column types when a target file is given.
/// </summary>
public sealed class D1RowProducer
{
    readonly RowConverter _converter;
    readonly ConversionOptions _options;
    readonly string? _targetPath;
    readonly Dictionary<string, TableSchema?> _targetSchemas = new(StringComparer.OrdinalIgnoreCase);
    KvRowConverter? _kv;

    public D1RowProducer(ConversionOptions options, string? targetPath)
    {
        _options = options;
        _converter = new RowConverter(options);
        _targetPath = targetPath;
    }

    /// <summary>The converter (one plan per table, shared with the preflight).</summary>
    public RowConverter Converter => _converter;

    /// <summary>True when the object is one of the module's rows (no -TableName needed).</summary>
    public static bool IsRow(PSObject input) => input.BaseObject is Row;

    /// <summary>The D1 row for <paramref name="input"/>; throws <see cref="ConversionException"/> for a bad value.</summary>
    public Row ToD1Row(PSObject input, string? tableName)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.BaseObject is Row row)
            return row.GetSchema().Kind == SchemaKind.D1 ? row : _converter.Convert(row);
        if (string.IsNullOrEmpty(tableName))
            throw new ArgumentException("A plain object needs -TableName: the table its rows belong to.", nameof(tableName));
        var properties = PSObjectAdapter.ReadProperties(input);
        return _converter.ConvertPlain(tableName, properties, TargetSchema(tableName));
    }

    /// <summary>
    /// What Import-D1Batch does with one pipeline object: the D1 row to write, or null when the
    /// object is a row that did not convert; that one is handed to the session (quarantined,
    /// reported, counted), and a row ConvertTo-D1Row -IncludeRejected passed on is quarantined.
    /// </summary>
    public Row? ToD1Row(PSObject input, string? tableName, MigrationSession session)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(session);
        if (input.BaseObject is RejectedRow rejected)
        {
            // ConvertTo-D1Row already wrote its error record: here it is only quarantined and counted.
            session.Rejected(rejected);
            return null;
        }
        try
        {
            return ToD1Row(input, tableName);
        }
        catch (ConversionException ex)
        {
            session.ConversionFailed(TargetTableName(input, tableName) ?? ex.Table, ex);
            return null;
        }
    }

    /// <summary>The D1 table an input object is meant for (after -TableMap), for quarantining a row that failed to convert.</summary>
    public string? TargetTableName(PSObject input, string? tableName)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.BaseObject is Row row)
            return row.GetSchema().Kind == SchemaKind.D1 ? row.GetSchema().Name : _converter.TargetSchemaFor(row.GetSchema()).Name;
        if (string.IsNullOrEmpty(tableName)) return null;
        return _options.TableMap.TryGetValue(tableName, out var mapped) ? mapped : tableName;
    }

    /// <summary>
    /// The D1 rows of one KV entry for <paramref name="tableName"/> (shaped by <paramref name="shape"/>,
    /// coerced to the target table when a target file is given), each converted or its failure.
    /// </summary>
    public List<(Row? Row, ConversionException? Error)> ToD1Rows(KvRecord record, string tableName, KvShapeOptions shape)
    {
        ArgumentNullException.ThrowIfNull(record);
        _kv ??= new KvRowConverter(_converter, shape);
        return _kv.Convert(record, tableName, TargetSchema(tableName));
    }

    TableSchema? TargetSchema(string tableName)
    {
        if (_targetPath is null) return null;
        var target = _options.TableMap.TryGetValue(tableName, out var mapped) ? mapped : tableName;
        if (!_targetSchemas.TryGetValue(target, out var schema))
            _targetSchemas[target] = schema = SqliteSchemaReader.ReadTableSchema(_targetPath, target);
        return schema;
    }
}
