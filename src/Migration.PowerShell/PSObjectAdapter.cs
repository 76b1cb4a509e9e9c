using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace Migration.PowerShell;

/// <summary>
/// Turns a plain PowerShell object (a hashtable, a PSCustomObject from ConvertFrom-Json or
/// Import-Csv, any .NET object) into the name/value pairs <c>RowConverter.ConvertPlain</c> takes.
/// Values lose their PSObject wrappers; nested objects become <c>Dictionary&lt;string, object?&gt;</c>
/// and arrays <c>List&lt;object?&gt;</c>, so the engine sees plain .NET values only.
/// </summary>
public static class PlainObjectReader
{
    /// <summary>Nesting deeper than this is taken for a cycle (an object that contains itself).</summary>
    public const int MaxDepth = 100;

    public static List<KeyValuePair<string, object?>> ReadProperties(PSObject input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = new List<KeyValuePair<string, object?>>();
        if (input.BaseObject is IDictionary dictionary)
        {
            foreach (DictionaryEntry e in dictionary)
                result.Add(new(KeyName(e.Key), Unwrap(e.Value, 1)));
            return result;
        }
        foreach (var p in input.Properties)
        {
            if (!p.IsGettable) continue;
            result.Add(new(p.Name, Unwrap(p.Value, 1)));
        }
        return result;
    }

    /// <summary>The plain .NET form of one value (see the class summary).</summary>
    public static object? Unwrap(object? value, int depth = 0)
    {
        if (depth > MaxDepth)
            throw new InvalidOperationException($"The object is nested more than {MaxDepth} levels deep (does it contain itself?).");
        if (value is PSObject pso)
        {
            if (pso.BaseObject is PSCustomObject)
            {
                var nested = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in pso.Properties)
                    if (p.IsGettable) nested[p.Name] = Unwrap(p.Value, depth + 1);
                return nested;
            }
            value = pso.BaseObject;
        }
        switch (value)
        {
            case null:
                return null;
            // A date outside DateTime's range that a row showed (Select-Object copies it): its ISO
            // text, which is what D1 holds for it.
            case PgDateTime outOfRange:
                return outOfRange.Value;
            case string or byte[]:
                return value;
            case IDictionary d:
            {
                var nested = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry e in d) nested[KeyName(e.Key)] = Unwrap(e.Value, depth + 1);
                return nested;
            }
            case IEnumerable list:
            {
                var items = new List<object?>();
                foreach (var item in list) items.Add(Unwrap(item, depth + 1));
                return items;
            }
            default:
                return value;
        }
    }

    static string KeyName(object key) =>
        (key is PSObject p ? p.BaseObject : key) switch
        {
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString() ?? "",
        };
}
