using Migration.Engine.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Migration.Engine.Source;

/// <summary>
/// How one column is selected in the COPY query and read from its binary output: exactly the
/// CLR type <see cref="PgTypeFamily"/> promises for the column's family.
/// </summary>
internal sealed class PgColumnReader
{
    readonly Func<NpgsqlBinaryExporter, object> _read;

    PgColumnReader(string selectExpression, Func<NpgsqlBinaryExporter, object> read)
    {
        SelectExpression = selectExpression;
        _read = read;
    }

    /// <summary>The column in the SELECT list: <c>"col"</c>, or <c>"col"::text</c> for families read in text form.</summary>
    public string SelectExpression { get; }

    /// <summary>The value of the current column (null for SQL NULL), the exporter moved past it.</summary>
    public object? Read(NpgsqlBinaryExporter copy)
    {
        if (copy.IsNull)
        {
            copy.Skip();
            return null;
        }
        return _read(copy);
    }

    // Boxed once: a boolean column otherwise boxes a new bool per row (the rows carry object values).
    static readonly object True = true;
    static readonly object False = false;

    public static PgColumnReader For(Column column)
    {
        var type = column.PgType ?? throw new ArgumentException($"Column {column.Name} has no Postgres type.", nameof(column));
        var name = SqlQuote.Identifier(column.SourceName);
        if (PgTypeClassifier.ReadsAsText(type))
            return new(name + "::text", static e => e.Read<string>(NpgsqlDbType.Text));

        Func<NpgsqlBinaryExporter, object> read = type.Family switch
        {
            PgTypeFamily.Boolean => static e => e.Read<bool>(NpgsqlDbType.Boolean) ? True : False,
            PgTypeFamily.Integer => type.Oid switch
            {
                PgTypeClassifier.Int2Oid => static e => e.Read<short>(NpgsqlDbType.Smallint),
                PgTypeClassifier.Int4Oid => static e => e.Read<int>(NpgsqlDbType.Integer),
                PgTypeClassifier.Int8Oid => static e => e.Read<long>(NpgsqlDbType.Bigint),
                _ => throw UnknownOid(column, type),
            },
            PgTypeFamily.Float => type.Oid switch
            {
                PgTypeClassifier.Float4Oid => static e => e.Read<float>(NpgsqlDbType.Real),
                PgTypeClassifier.Float8Oid => static e => e.Read<double>(NpgsqlDbType.Double),
                _ => throw UnknownOid(column, type),
            },
            // The raw bytes, decoded by PgNumericBinary: keeps the scale and turns NaN into "NaN".
            // (Binary COPY carries no type information, so reading them as bytea is exact.)
            PgTypeFamily.Numeric => static e => PgNumericBinary.Decode(e.Read<byte[]>(NpgsqlDbType.Bytea)),
            PgTypeFamily.Money => static e => e.Read<decimal>(NpgsqlDbType.Money),
            PgTypeFamily.Text => static e => e.Read<string>(NpgsqlDbType.Text),
            PgTypeFamily.Uuid => static e => e.Read<Guid>(NpgsqlDbType.Uuid),
            // Raw values, never through DateTime: exact over Postgres' whole range, infinities included.
            PgTypeFamily.TimestampTz => static e => new PgTimestamp(e.Read<long>(NpgsqlDbType.TimestampTz), hasTimeZone: true),
            PgTypeFamily.Timestamp => static e => new PgTimestamp(e.Read<long>(NpgsqlDbType.Timestamp), hasTimeZone: false),
            PgTypeFamily.Date => static e => new PgDate(e.Read<int>(NpgsqlDbType.Date)),
            PgTypeFamily.Time => static e => e.Read<TimeSpan>(NpgsqlDbType.Time),
            PgTypeFamily.Json => static e => e.Read<string>(NpgsqlDbType.Json),
            PgTypeFamily.Jsonb => static e => e.Read<string>(NpgsqlDbType.Jsonb),
            PgTypeFamily.Bytea => static e => e.Read<byte[]>(NpgsqlDbType.Bytea),
            _ => throw new ArgumentException($"Column {column.Name}: family {type.Family} has no binary reader.", nameof(column)),
        };
        return new(name, read);
    }

    static ArgumentException UnknownOid(Column column, PgType type) =>
        new($"Column {column.Name}: type {type.Name} (oid {type.Oid}) is not a known {type.Family} type.", nameof(column));
}
