using Migration.Engine.Schema;

namespace Migration.Engine.Source;

/// <summary>What the catalog (pg_type) says about one type, as the classifier needs it.</summary>
/// <param name="Oid">The type's oid.</param>
/// <param name="Name">pg_type.typname.</param>
/// <param name="TypType">pg_type.typtype: b base, d domain, e enum, r range, m multirange, c composite, p pseudo.</param>
/// <param name="BaseType">For a domain: the type it is over (pg_type.typbasetype).</param>
/// <param name="BaseTypmod">For a domain: the modifier of the type it is over (pg_type.typtypmod).</param>
/// <param name="ElementType">For a true array: its element type; 0 otherwise.</param>
public sealed record PgCatalogType(uint Oid, string Name, char TypType, uint BaseType, int BaseTypmod, uint ElementType);

/// <summary>
/// Decides the <see cref="PgTypeFamily"/> of a column type, and with it how the exporter reads
/// the value. Which D1 storage class a family becomes is decided in Convert/ (PgToD1CastRules),
/// not here.
/// </summary>
public static class PgTypeClassifier
{
    // Oids of the built-in types (fixed in pg_type.dat; they never change between versions).
    public const uint BoolOid = 16, ByteaOid = 17, NameOid = 19, Int8Oid = 20, Int2Oid = 21, Int4Oid = 23,
        TextOid = 25, JsonOid = 114, Float4Oid = 700, Float8Oid = 701, MoneyOid = 790, BpcharOid = 1042,
        VarcharOid = 1043, DateOid = 1082, TimeOid = 1083, TimestampOid = 1114, TimestampTzOid = 1184,
        NumericOid = 1700, UuidOid = 2950, JsonbOid = 3802;

    /// <summary>The largest precision whose every value a <see cref="decimal"/> holds (28 significant digits).</summary>
    public const int MaxDecimalPrecision = 28;

    /// <summary>
    /// Classifies a column type. <paramref name="formatName"/> is <c>format_type(oid, typmod)</c>;
    /// <paramref name="lookup"/> gives the catalog row of a type and the format_type name of
    /// (oid, typmod) for element and base types.
    /// A domain takes its base type's family, precision and scale; <see cref="PgType.Oid"/> is
    /// then the base type's oid (it says how the value is read), while <see cref="PgType.Name"/>
    /// keeps the domain's name (what the DBA declared).
    /// </summary>
    public static PgType Classify(uint oid, int typmod, string formatName, Func<uint, PgCatalogType> lookup, Func<uint, int, string> formatType)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(formatType);
        var type = lookup(oid);
        // Domains over domains: walk down to the base, taking the innermost modifier that is set.
        for (var depth = 0; type.TypType == 'd'; depth++)
        {
            if (depth > 64) throw new InvalidOperationException($"Type {formatName}: domain chain too deep.");
            if (typmod < 0) typmod = type.BaseTypmod;
            type = lookup(type.BaseType);
        }

        if (type.ElementType != 0)
        {
            var element = Classify(type.ElementType, typmod, formatType(type.ElementType, typmod), lookup, formatType);
            return new PgType(formatName, PgTypeFamily.Array, type.Oid, Element: element);
        }

        if (type.TypType != 'b')
            return new PgType(formatName, PgTypeFamily.TextForm, type.Oid); // enum, range, multirange, composite...

        switch (type.Oid)
        {
            case NumericOid:
                var (precision, scale) = DecodeNumericTypmod(typmod);
                return new PgType(formatName, PgTypeFamily.Numeric, type.Oid, precision, scale);
            default:
                return new PgType(formatName, FamilyOfBaseType(type.Oid), type.Oid);
        }
    }

    /// <summary>The family of a built-in base type; everything not listed (inet, citext, xml, bit, timetz, interval, geometric, tsvector, "char", oid...) is read in text form.</summary>
    public static PgTypeFamily FamilyOfBaseType(uint oid) => oid switch
    {
        BoolOid => PgTypeFamily.Boolean,
        Int2Oid or Int4Oid or Int8Oid => PgTypeFamily.Integer,
        Float4Oid or Float8Oid => PgTypeFamily.Float,
        NumericOid => PgTypeFamily.Numeric,
        MoneyOid => PgTypeFamily.Money,
        TextOid or VarcharOid or BpcharOid or NameOid => PgTypeFamily.Text,
        UuidOid => PgTypeFamily.Uuid,
        TimestampTzOid => PgTypeFamily.TimestampTz,
        TimestampOid => PgTypeFamily.Timestamp,
        DateOid => PgTypeFamily.Date,
        TimeOid => PgTypeFamily.Time,
        JsonOid => PgTypeFamily.Json,
        JsonbOid => PgTypeFamily.Jsonb,
        ByteaOid => PgTypeFamily.Bytea,
        _ => PgTypeFamily.TextForm,
    };

    /// <summary>
    /// numeric's typmod: ((precision &lt;&lt; 16) | (scale &amp; 0x7ff)) + 4, the scale an 11-bit
    /// signed number (Postgres 15 allows -1000..1000). -1 (no modifier): (null, null).
    /// </summary>
    public static (int? Precision, int? Scale) DecodeNumericTypmod(int typmod)
    {
        if (typmod < 4) return (null, null);
        var t = typmod - 4;
        var precision = (t >> 16) & 0xFFFF;
        var scale = ((t & 0x7FF) ^ 1024) - 1024;
        return (precision, scale);
    }

    /// <summary>
    /// Whether a numeric column is read as <see cref="decimal"/>: declared precision 1..28 and a
    /// scale a decimal can carry (at most 28). Anything else is read as Postgres' exact text.
    /// A NaN in such a column (numeric(p,s) accepts NaN) comes as the string <c>NaN</c>.
    /// </summary>
    public static bool NumericReadsAsDecimal(PgType type) =>
        type.Family == PgTypeFamily.Numeric
        && type.Precision is >= 1 and <= MaxDecimalPrecision
        && type.Scale is { } s && s <= MaxDecimalPrecision;

    /// <summary>Whether the exporter selects the column as <c>"col"::text</c> rather than reading its binary form.</summary>
    public static bool ReadsAsText(PgType type) => type.Family switch
    {
        PgTypeFamily.Array or PgTypeFamily.TextForm => true,
        PgTypeFamily.Numeric => !NumericReadsAsDecimal(type),
        _ => false,
    };
}
