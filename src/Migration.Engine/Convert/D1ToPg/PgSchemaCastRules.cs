using System.Globalization;
using System.Text.RegularExpressions;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// The D1 declared type -> Postgres column type rules of Export-PgSchema (docs/pg-schema.md has
/// the table). Anchored on pgloader's <c>*sqlite-default-cast-rules*</c>
/// (dimitri/pgloader, src/sources/sqlite/sqlite-cast-rules.lisp): the declared type is
/// normalized as pgloader does (lower case, the type modifier and the noise words <c>unsigned</c>,
/// <c>short</c>, <c>varying</c>, <c>native</c>, <c>nocase</c>, <c>auto_increment</c> dropped) and
/// looked up; an unknown name becomes <c>text</c> as pgloader's catch-all does. Where this
/// module differs from pgloader it is because a D1 value must load losslessly through the
/// D1 -> Postgres converters (<see cref="D1ToPgCastRules"/>): SQLite's REAL is 8 bytes, so
/// <c>real</c>/<c>float</c> become <c>double precision</c>, not float4; <c>boolean</c>, <c>date</c>,
/// <c>time</c>, <c>json</c>/<c>jsonb</c> and <c>uuid</c> have their Postgres types (pgloader's
/// catch-all would make them text).
/// </summary>
public static partial class PgSchemaCastRules
{
    public static readonly PgType Boolean = new("boolean", PgTypeFamily.Boolean);
    public static readonly PgType SmallInt = new("smallint", PgTypeFamily.Integer);
    public static readonly PgType Integer = new("integer", PgTypeFamily.Integer);
    public static readonly PgType BigInt = new("bigint", PgTypeFamily.Integer);
    public static readonly PgType Real = new("real", PgTypeFamily.Float);
    public static readonly PgType Double = new("double precision", PgTypeFamily.Float);
    public static readonly PgType Numeric = new("numeric", PgTypeFamily.Numeric);
    public static readonly PgType Text = new("text", PgTypeFamily.Text);
    public static readonly PgType Uuid = new("uuid", PgTypeFamily.Uuid);
    public static readonly PgType TimestampTz = new("timestamp with time zone", PgTypeFamily.TimestampTz);
    public static readonly PgType Timestamp = new("timestamp without time zone", PgTypeFamily.Timestamp);
    public static readonly PgType Date = new("date", PgTypeFamily.Date);
    public static readonly PgType Time = new("time without time zone", PgTypeFamily.Time);
    public static readonly PgType Json = new("json", PgTypeFamily.Json);
    public static readonly PgType Jsonb = new("jsonb", PgTypeFamily.Jsonb);
    public static readonly PgType Bytea = new("bytea", PgTypeFamily.Bytea);

    /// <summary>Declared (normalized) name -> Postgres type; the rule's origin is in docs/pg-schema.md.</summary>
    static readonly Dictionary<string, PgType> Declared = new(StringComparer.Ordinal)
    {
        // pgloader: character, varchar, nvarchar, char, nchar, clob -> text (typmod dropped)
        ["character"] = Text, ["varchar"] = Text, ["nvarchar"] = Text, ["char"] = Text, ["nchar"] = Text, ["clob"] = Text, ["text"] = Text,
        ["string"] = Text,
        // pgloader: tinyint -> smallint, int2 -> smallint, int4 -> integer, integer/long/int8 -> bigint
        ["tinyint"] = SmallInt, ["smallint"] = SmallInt, ["int2"] = SmallInt,
        ["int4"] = Integer, ["mediumint"] = Integer,
        ["integer"] = BigInt, ["int"] = BigInt, ["bigint"] = BigInt, ["big int"] = BigInt, ["int8"] = BigInt, ["long"] = BigInt,
        // pgloader: float -> float, real -> real, double -> double precision; here all double precision (SQLite's REAL is 8 bytes)
        ["real"] = Double, ["float"] = Double, ["double"] = Double, ["double precision"] = Double, ["float8"] = Double, ["float4"] = Double,
        // pgloader: numeric/decimal keep their typmod (ParseNumeric below)
        ["numeric"] = Numeric, ["decimal"] = Numeric,
        // pgloader: blob, byte[], byte -> bytea
        ["blob"] = Bytea, ["byte[]"] = Bytea, ["byte"] = Bytea, ["binary"] = Bytea, ["varbinary"] = Bytea,
        // pgloader: datetime -> timestamptz, timestamp -> timestamp, timestamptz -> timestamptz
        ["datetime"] = TimestampTz, ["timestamptz"] = TimestampTz, ["timestamp"] = Timestamp,
        // not in pgloader (its catch-all makes them text): the types this module's converters read exactly
        ["boolean"] = Boolean, ["bool"] = Boolean,
        ["date"] = Date, ["time"] = Time,
        ["json"] = Jsonb, ["jsonb"] = Jsonb,
        ["uuid"] = Uuid, ["guid"] = Uuid, ["uniqueidentifier"] = Uuid,
    };

    static readonly string[] NoiseWords = ["unsigned", "short", "varying", "native", "nocase", "auto_increment"];

    /// <summary>pgloader's normalization: lower case, the modifier <c>(...)</c> and the noise words dropped; an empty type is pgloader's "text".</summary>
    public static string Normalize(string declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        var t = Modifier().Replace(declared.ToLowerInvariant(), " ");
        var words = t.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Where(w => !NoiseWords.Contains(w)).ToList();
        if (words.Count == 0) return "";
        var joined = string.Join(' ', words);
        // Two-word names (double precision, big int) first, then the first word (as pgloader's parser takes the type name).
        return Declared.ContainsKey(joined) ? joined : Declared.ContainsKey(words[0]) ? words[0] : joined;
    }

    /// <summary>
    /// The Postgres type for a declared D1 type, and whether the name was known (false: the
    /// catch-all <c>text</c>, which the caller reports). <c>numeric(p,s)</c>/<c>decimal(p,s)</c>
    /// keep their precision and scale.
    /// </summary>
    public static (PgType Type, bool Known) ForDeclared(string declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        var name = Normalize(declared);
        if (name.Length == 0) return (Text, false);
        if (!Declared.TryGetValue(name, out var type)) return (Text, false);
        if (type == Numeric && Modifier().Match(declared) is { Success: true } m && NumericModifier(m.Value) is { } withModifier) return (withModifier, true);
        return (type, true);
    }

    static PgType? NumericModifier(string modifier)
    {
        var parts = modifier.Trim('(', ')', ' ').Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 1000) return null;
        var s = 0;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out s) || s > p)) return null;
        return new PgType($"numeric({p},{s})", PgTypeFamily.Numeric, Precision: p, Scale: s);
    }

    /// <summary>
    /// A type name a user gives in -ColumnType: the Postgres names and their usual aliases
    /// (<c>int</c>, <c>timestamptz</c>, <c>float8</c>, ...), <c>numeric(p,s)</c>, and any of them
    /// followed by <c>[]</c> (an array, which the converters read from the JSON arrays this module writes).
    /// </summary>
    public static PgType Parse(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var t = name.Trim().ToLowerInvariant();
        if (t.EndsWith("[]", StringComparison.Ordinal))
        {
            var element = Parse(t[..^2]);
            return new PgType(element.Name + "[]", PgTypeFamily.Array, Element: element);
        }
        var m = Modifier().Match(t);
        var bare = Modifier().Replace(t, "").Trim();
        PgType? type = bare switch
        {
            "boolean" or "bool" => Boolean,
            "smallint" or "int2" => SmallInt,
            "integer" or "int" or "int4" => Integer,
            "bigint" or "int8" => BigInt,
            "real" or "float4" => Real,
            "double precision" or "float8" or "double" or "float" => Double,
            "numeric" or "decimal" => m.Success ? NumericModifier(m.Value) : Numeric,
            "text" => Text,
            "uuid" => Uuid,
            "timestamptz" or "timestamp with time zone" => TimestampTz,
            "timestamp" or "timestamp without time zone" => Timestamp,
            "date" => Date,
            "time" or "time without time zone" => Time,
            "json" => Json,
            "jsonb" => Jsonb,
            "bytea" => Bytea,
            _ => null,
        };
        return type ?? throw new ArgumentException($"\"{name}\" is not a type Export-PgSchema writes; use one of boolean, smallint, integer, bigint, real, double precision, numeric(p,s), text, uuid, timestamptz, timestamp, date, time, json, jsonb, bytea, or one of them followed by [].");
    }

    /// <summary>
    /// Whether the D1 -> Postgres converter for <paramref name="type"/> takes <paramref name="value"/>
    /// (a D1 value: long, double, string, byte[]) without a change, i.e. whether the row would load;
    /// <paramref name="mayBeMapped"/>: an id column under -IdMap (non-UUID text is mapped, not refused).
    /// Into <c>numeric(p,s)</c> a value also needs to fit the precision and scale (Postgres would round it).
    /// </summary>
    public static bool Accepts(PgType type, object value, bool mayBeMapped)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Checker(type, mayBeMapped)(value);
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(PgType, bool), Func<object, bool>> Checkers = new();

    /// <summary><see cref="Accepts"/> as a predicate over one converter, made once per type (a value scan calls it per value).</summary>
    public static Func<object, bool> Checker(PgType type, bool mayBeMapped)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Checkers.GetOrAdd((type, mayBeMapped), key =>
        {
            var converter = D1ToPgCastRules.Instance.For(key.Item1, key.Item2);
            var numeric = key.Item1.Family == PgTypeFamily.Numeric && key.Item1.Precision is not null;
            var (precision, scale) = (key.Item1.Precision ?? 0, key.Item1.Scale ?? 0);
            return value =>
            {
                object? converted;
                try { converted = converter.Convert(value); }
                catch (ValueRejectedException) { return false; }
                return !numeric || converted is not string digits || FitsNumeric(digits, precision, scale);
            };
        });
    }

    static bool FitsNumeric(string digits, int precision, int scale)
    {
        var e = digits.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!decimal.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var m)) return false;
            digits = m.ToString(CultureInfo.InvariantCulture);
        }
        digits = digits.TrimStart('+', '-');
        var point = digits.IndexOf('.');
        var whole = (point < 0 ? digits : digits[..point]).TrimStart('0');
        var fraction = point < 0 ? "" : digits[(point + 1)..].TrimEnd('0');
        return fraction.Length <= scale && whole.Length <= precision - scale;
    }

    /// <summary>The types a column may widen to, in order, when its values do not all fit its declared type (documented in docs/pg-schema.md).</summary>
    public static IEnumerable<PgType> Widenings(PgType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == SmallInt) yield return Integer;
        if (type == SmallInt || type == Integer) yield return BigInt;
        if (type.Family is PgTypeFamily.Integer or PgTypeFamily.Float or PgTypeFamily.Boolean) yield return Double;
        if (type.Family is PgTypeFamily.Integer or PgTypeFamily.Float or PgTypeFamily.Numeric or PgTypeFamily.Boolean) yield return Numeric;
        if (type.Family is PgTypeFamily.Timestamp) yield return TimestampTz;
        if (type != Text && type.Family != PgTypeFamily.Bytea) yield return Text;
        if (type.Family != PgTypeFamily.Bytea) yield return Bytea;
    }

    /// <summary>A value written so that it starts a JSON object or array (scalars like <c>1</c> or <c>true</c> are not taken as JSON documents).</summary>
    public static bool LooksLikeJsonDocument(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.AsSpan().TrimStart();
        return t.Length > 0 && (t[0] == '{' || t[0] == '[');
    }

    [GeneratedRegex(@"\([^)]*\)", RegexOptions.CultureInvariant)]
    private static partial Regex Modifier();
}
