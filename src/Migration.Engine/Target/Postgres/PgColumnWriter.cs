using Migration.Engine.Schema;
using Migration.Engine.Source;
using Npgsql;
using NpgsqlTypes;

namespace Migration.Engine.Target.Postgres;

/// <summary>
/// How one column's values go into a binary COPY. Timestamps, dates and times are written as
/// Postgres' own binary payload (microseconds / days since 2000-01-01), so infinity, BC dates
/// and years past 9999 arrive exactly (a .NET DateTime could hold none of them). Values held as
/// Postgres' text form (numeric, money, arrays, enum and every other text-form type) cannot be
/// sent in binary without re-implementing each type: they go into a text column of a staging
/// table and are cast by Postgres itself with the column's declared type (<see cref="ViaText"/>).
/// </summary>
internal sealed class PgColumnWriter
{
    public PgColumnWriter(Column column)
    {
        Column = column;
        var type = column.PgType ?? throw new ArgumentException($"Column {column.Name} has no Postgres type.", nameof(column));
        Kind = type.Family switch
        {
            PgTypeFamily.Boolean => WriteKind.Boolean,
            PgTypeFamily.Integer => type.Name switch { "smallint" => WriteKind.Int2, "integer" => WriteKind.Int4, _ => WriteKind.Int8 },
            PgTypeFamily.Float => type.Name == "real" ? WriteKind.Float4 : WriteKind.Float8,
            PgTypeFamily.Text => WriteKind.Text,
            PgTypeFamily.Uuid => WriteKind.Uuid,
            PgTypeFamily.Json => WriteKind.Json,
            PgTypeFamily.Jsonb => WriteKind.Jsonb,
            PgTypeFamily.Bytea => WriteKind.Bytea,
            PgTypeFamily.TimestampTz or PgTypeFamily.Timestamp => WriteKind.Timestamp,
            PgTypeFamily.Date => WriteKind.Date,
            PgTypeFamily.Time => WriteKind.Time,
            _ => WriteKind.ViaText,
        };
    }

    public Column Column { get; }
    public WriteKind Kind { get; }

    /// <summary>Whether the value must be cast by Postgres from a staging text column.</summary>
    public bool ViaText => Kind == WriteKind.ViaText;

    /// <summary>The staging column's type: the column's own, or text for a cast.</summary>
    public string StagingType => ViaText ? "text" : Column.PgType!.Name;

    public void Write(NpgsqlBinaryImporter copy, object? value)
    {
        if (value is null) { copy.WriteNull(); return; }
        switch (Kind)
        {
            case WriteKind.Boolean: copy.Write((bool)value, NpgsqlDbType.Boolean); break;
            case WriteKind.Int2: copy.Write(System.Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Smallint); break;
            case WriteKind.Int4: copy.Write(System.Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Integer); break;
            case WriteKind.Int8: copy.Write(System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Bigint); break;
            case WriteKind.Float4: copy.Write(System.Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Real); break;
            case WriteKind.Float8: copy.Write(System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Double); break;
            case WriteKind.Text: copy.Write((string)value, NpgsqlDbType.Text); break;
            case WriteKind.Uuid: copy.Write((Guid)value, NpgsqlDbType.Uuid); break;
            case WriteKind.Json: copy.Write((string)value, NpgsqlDbType.Json); break;
            case WriteKind.Jsonb: copy.Write((string)value, NpgsqlDbType.Jsonb); break;
            case WriteKind.Bytea: copy.Write((byte[])value, NpgsqlDbType.Bytea); break;
            // The raw payload (what timestamp_recv/date_recv/time_recv read: a big-endian int64 of
            // microseconds, an int32 of days), which is byte for byte what int8/int4 send: written
            // as those, no buffer is allocated per value.
            case WriteKind.Timestamp: copy.Write(((PgTimestamp)value).Microseconds, NpgsqlDbType.Bigint); break;
            case WriteKind.Date: copy.Write(((PgDate)value).Days, NpgsqlDbType.Integer); break;
            case WriteKind.Time: copy.Write(((TimeSpan)value).Ticks / TimeSpan.TicksPerMicrosecond, NpgsqlDbType.Bigint); break;
            default: copy.Write(System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!, NpgsqlDbType.Text); break;
        }
    }

    /// <summary>Whether a value is of the CLR type this column writes (a wrong one is the row's error, not the batch's).</summary>
    public bool Accepts(object value) => Kind switch
    {
        WriteKind.Boolean => value is bool,
        WriteKind.Int2 or WriteKind.Int4 or WriteKind.Int8 => value is short or int or long,
        WriteKind.Float4 or WriteKind.Float8 => value is float or double,
        WriteKind.Text or WriteKind.Json or WriteKind.Jsonb => value is string,
        WriteKind.Uuid => value is Guid,
        WriteKind.Bytea => value is byte[],
        WriteKind.Timestamp => value is PgTimestamp,
        WriteKind.Date => value is PgDate,
        WriteKind.Time => value is TimeSpan,
        _ => value is string or decimal or long or int or short or double,
    };

    public enum WriteKind { Boolean, Int2, Int4, Int8, Float4, Float8, Text, Uuid, Json, Jsonb, Bytea, Timestamp, Date, Time, ViaText }
}
