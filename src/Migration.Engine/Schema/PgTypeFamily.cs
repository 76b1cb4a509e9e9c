namespace Migration.Engine.Schema;

/// <summary>
/// The groups of PostgreSQL types that share one export strategy and one converter.
/// The comment on each member is the contract between the source and the converters:
/// it names the CLR type a <see cref="Row"/> coming out of Export-PgTable holds for
/// a non-NULL value of that family (NULL is always <c>null</c>, never DBNull).
/// </summary>
public enum PgTypeFamily
{
    /// <summary>boolean -> <see cref="bool"/>.</summary>
    Boolean,
    /// <summary>smallint/integer/bigint (serial, identity) -> <see cref="short"/>/<see cref="int"/>/<see cref="long"/>.</summary>
    Integer,
    /// <summary>real/double precision -> <see cref="float"/>/<see cref="double"/> (NaN and infinities included).</summary>
    Float,
    /// <summary>
    /// numeric -> <see cref="decimal"/> when the declared precision is 1..28 (binary read,
    /// exact, keeps the scale); otherwise <see cref="string"/> holding Postgres' text form
    /// (exact digits, or NaN/Infinity/-Infinity). A NaN in a numeric(p,s) column, which no
    /// decimal can hold, also arrives as the string <c>NaN</c>: converters accept both types.
    /// </summary>
    Numeric,
    /// <summary>money -> <see cref="decimal"/> (exact; two fraction digits as Npgsql reads it).</summary>
    Money,
    /// <summary>text/varchar/char(n)/name -> <see cref="string"/> (char(n) keeps its padding).</summary>
    Text,
    /// <summary>uuid -> <see cref="Guid"/>.</summary>
    Uuid,
    /// <summary>timestamp with time zone -> <see cref="Source.PgTimestamp"/> (raw microseconds, UTC).</summary>
    TimestampTz,
    /// <summary>timestamp without time zone -> <see cref="Source.PgTimestamp"/> (raw microseconds, no zone).</summary>
    Timestamp,
    /// <summary>date -> <see cref="Source.PgDate"/> (raw days).</summary>
    Date,
    /// <summary>time without time zone -> <see cref="TimeSpan"/> (microsecond exact; 24:00:00 is one day).</summary>
    Time,
    /// <summary>json -> <see cref="string"/>, byte for byte as stored.</summary>
    Json,
    /// <summary>jsonb -> <see cref="string"/>, as Postgres prints it.</summary>
    Jsonb,
    /// <summary>bytea -> <see cref="byte"/>[].</summary>
    Bytea,
    /// <summary>
    /// Any array -> <see cref="string"/> holding Postgres' array literal (text form, read with
    /// the export session's settings: UTC, ISO dates, hex bytea), e.g. <c>{a,NULL,"b,c"}</c> or
    /// <c>[0:1]={1,2}</c>. The element type is <see cref="PgType.Element"/>.
    /// </summary>
    Array,
    /// <summary>
    /// Everything read in Postgres' own text form -> <see cref="string"/>: enum, inet, cidr,
    /// macaddr, bit, varbit, xml, ranges, geometric types, tsvector, timetz, interval
    /// (IntervalStyle iso_8601), citext (an extension type, so read as ::text), and any type
    /// this module does not know.
    /// </summary>
    TextForm,
}
