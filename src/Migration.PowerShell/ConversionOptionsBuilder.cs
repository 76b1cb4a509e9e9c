using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Schema;

namespace Migration.PowerShell;

/// <summary>
/// Turns ConvertTo-D1Row's hashtable parameters into a <see cref="ConversionOptions"/>. Every
/// malformed entry is an <see cref="ArgumentException"/> naming the parameter and the key, thrown
/// before any row is read (the cmdlet makes it a terminating error).
/// </summary>
public static class ConversionOptionsBuilder
{
    /// <summary><c>@{ old = 'new' }</c> as a case-insensitive map (PowerShell's own hashtables are).</summary>
    public static Dictionary<string, string> StringMap(Hashtable? table, string parameterName)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (table is null) return map;
        foreach (DictionaryEntry e in table)
        {
            var key = KeyOf(e.Key, parameterName);
            var value = PSObjectAdapter.Unwrap(e.Value) as string;
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"-{parameterName}: the new name for \"{key}\" must be a non-empty string.", parameterName);
            map[key] = value;
        }
        return map;
    }

    /// <summary><c>@{ 'table.column' = @{ TimestampFormat = 'UnixSeconds'; NumericAs = 'Text'; NonFinite = 'Null' } }</c>.</summary>
    public static Dictionary<string, ColumnOverride> ColumnOverrides(Hashtable? table)
    {
        const string parameterName = "ColumnOverride";
        var map = new Dictionary<string, ColumnOverride>(StringComparer.OrdinalIgnoreCase);
        if (table is null) return map;
        foreach (DictionaryEntry e in table)
        {
            var key = KeyOf(e.Key, parameterName);
            var value = PSObjectAdapter.Unwrap(e.Value);
            if (value is ColumnOverride ready)
            {
                map[key] = ready;
                continue;
            }
            if (value is not IDictionary settings)
                throw new ArgumentException($"-{parameterName}: the value for \"{key}\" must be a hashtable such as @{{ TimestampFormat = 'UnixSeconds' }}.", parameterName);
            TimestampFormat? timestamp = null;
            NumericMode? numeric = null;
            NonFiniteMode? nonFinite = null;
            foreach (DictionaryEntry s in settings)
            {
                var name = KeyOf(s.Key, parameterName);
                switch (name.ToUpperInvariant())
                {
                    case "TIMESTAMPFORMAT": timestamp = EnumValue<TimestampFormat>(s.Value, key, name); break;
                    case "NUMERICAS": numeric = EnumValue<NumericMode>(s.Value, key, name); break;
                    case "NONFINITE": nonFinite = EnumValue<NonFiniteMode>(s.Value, key, name); break;
                    default:
                        throw new ArgumentException($"-{parameterName}: \"{key}\" has an unknown setting \"{name}\"; the settings are TimestampFormat, NumericAs and NonFinite.", parameterName);
                }
            }
            map[key] = new ColumnOverride(timestamp, numeric, nonFinite);
        }
        return map;
    }

    /// <summary>
    /// <c>@{ 'table.column' = { $_.first + ' ' + $_.last } }</c> or
    /// <c>@{ 'table.column' = @{ Expression = { ... }; Type = 'Text' } }</c>. The table part is
    /// everything before the last dot (so <c>schema.table.column</c> works); a scriptblock alone
    /// makes a TEXT column.
    /// </summary>
    public static List<ComputedColumn> ComputedColumns(Hashtable? table)
    {
        const string parameterName = "ComputedColumn";
        var list = new List<ComputedColumn>();
        if (table is null) return list;
        foreach (DictionaryEntry e in table)
        {
            var key = KeyOf(e.Key, parameterName);
            var dot = key.LastIndexOf('.');
            if (dot <= 0 || dot == key.Length - 1)
                throw new ArgumentException($"-{parameterName}: \"{key}\" must be written 'table.column'.", parameterName);
            var tableName = key[..dot];
            var column = key[(dot + 1)..];
            var value = e.Value is PSObject p ? p.BaseObject : e.Value;
            ScriptBlock? expression;
            var type = D1Type.Text;
            switch (value)
            {
                case ScriptBlock sb:
                    expression = sb;
                    break;
                case IDictionary spec:
                    expression = null;
                    foreach (DictionaryEntry s in spec)
                    {
                        var name = KeyOf(s.Key, parameterName);
                        var setting = s.Value is PSObject sp ? sp.BaseObject : s.Value;
                        switch (name.ToUpperInvariant())
                        {
                            case "EXPRESSION":
                                expression = setting as ScriptBlock
                                    ?? throw new ArgumentException($"-{parameterName}: Expression for \"{key}\" must be a scriptblock.", parameterName);
                                break;
                            case "TYPE":
                                type = EnumValue<D1Type>(setting, key, name);
                                break;
                            default:
                                throw new ArgumentException($"-{parameterName}: \"{key}\" has an unknown setting \"{name}\"; the settings are Expression and Type.", parameterName);
                        }
                    }
                    if (expression is null)
                        throw new ArgumentException($"-{parameterName}: \"{key}\" needs an Expression scriptblock.", parameterName);
                    break;
                default:
                    throw new ArgumentException($"-{parameterName}: the value for \"{key}\" must be a scriptblock or @{{ Expression = {{...}}; Type = 'Text' }}.", parameterName);
            }
            list.Add(ScriptBlockComputedColumn.Create(tableName, column, type, expression));
        }
        return list;
    }

    static T EnumValue<T>(object? value, string key, string setting) where T : struct, Enum
    {
        var raw = PSObjectAdapter.Unwrap(value);
        if (raw is T typed) return typed;
        if (raw is string s && Enum.TryParse<T>(s, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            return parsed;
        throw new ArgumentException(
            $"\"{key}\": {setting} = \"{ValueExcerpt.Of(raw)}\" is not one of {string.Join(", ", Enum.GetNames<T>())}.");
    }

    static string KeyOf(object key, string parameterName)
    {
        var s = PSObjectAdapter.Unwrap(key) as string;
        if (string.IsNullOrWhiteSpace(s))
            throw new ArgumentException($"-{parameterName}: every key must be a non-empty name.", parameterName);
        return s;
    }

    /// <summary>
    /// The D1 -> PostgreSQL mapping of -TableMap, -ColumnMap, -Exclude, -ComputedColumn and
    /// -ColumnNaming (ConvertTo-PgRow, Test-MigrationIntegrity -Direction D1ToPostgres); throws
    /// ArgumentException on a malformed map.
    /// </summary>
    public static PgConversionOptions PgOptions(Hashtable? tableMap, Hashtable? columnMap, string[]? exclude, Hashtable? computed,
        Engine.Convert.D1ToPg.ColumnNaming naming, Engine.Convert.D1ToPg.D1ToPgSettings? settings = null) => new()
    {
        TableMap = StringMap(tableMap, "TableMap"),
        ColumnMap = StringMap(columnMap, "ColumnMap"),
        Exclude = exclude ?? [],
        Computed = ComputedColumns(computed),
        ColumnNaming = naming,
        Settings = settings ?? Engine.Convert.D1ToPg.D1ToPgSettings.Default,
    };
}
