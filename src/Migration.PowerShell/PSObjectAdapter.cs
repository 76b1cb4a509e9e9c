using System.Management.Automation;
using Migration.Engine.Convert;

namespace Migration.PowerShell;

/// <summary>
/// PowerShell's side of the engine's <see cref="Engine.Convert.PlainObjectReader"/>: a PSObject
/// opens to its base object, its members are its gettable properties, and a PSCustomObject
/// (ConvertFrom-Json, Import-Csv, [pscustomobject]@{...}) nested in a value is a bag of them.
/// </summary>
public sealed class PSObjectAdapter : IPlainObjectAdapter
{
    public static PSObjectAdapter Instance { get; } = new();

    PSObjectAdapter() { }

    public object BaseObject(object value) => (value is PSObject p ? p.BaseObject : value) switch
    {
        // A date outside DateTime's range that a row showed (Select-Object copies it): the exact
        // engine value, converted as the row's own column would be (TimestampFormat, Unix rule).
        PgDateTime outOfRange => outOfRange.Exact ?? outOfRange.Value,
        var v => v,
    };

    public IEnumerable<KeyValuePair<string, object?>>? Properties(object value) =>
        value is PSObject p ? p.Properties.Where(m => m.IsGettable).Select(m => new KeyValuePair<string, object?>(m.Name, m.Value)) : null;

    public bool IsPropertyBag(object value) => value is PSObject { BaseObject: PSCustomObject };

    /// <summary>One pipeline object as name/value pairs of plain .NET values.</summary>
    public static List<KeyValuePair<string, object?>> ReadProperties(PSObject input) => Engine.Convert.PlainObjectReader.ReadProperties(input, Instance);

    /// <summary>The plain .NET form of one value (PSObject wrappers removed, nested objects as dictionaries).</summary>
    public static object? Unwrap(object? value) => Engine.Convert.PlainObjectReader.Unwrap(value, Instance);
}
