using System.Collections;
using System.Management.Automation;

namespace Migration.PowerShell;

/// <summary>
/// What one -InputObject binding holds. From the pipeline PowerShell has already enumerated
/// arrays, so this is one item; but <c>-InputObject @(...)</c> binds the array itself, and
/// writing that would make a table of its properties (Length, Rank, SyncRoot...). As
/// Export-Csv and Write-SqlTableData do, a collection given that way is enumerated.
/// </summary>
public static class InputItems
{
    /// <summary>
    /// True when the binding holds one record (always, from the pipeline): the cmdlet takes it
    /// as it is, without <see cref="Of"/>'s enumerator (an allocation per row per cmdlet).
    /// </summary>
    public static bool IsOne(PSObject input) => !IsCollection(input.BaseObject);

    public static IEnumerable<PSObject> Of(PSObject input)
    {
        if (!IsCollection(input.BaseObject))
        {
            yield return input;
            yield break;
        }
        foreach (var item in (IEnumerable)input.BaseObject)
            if (item is not null) yield return PSObject.AsPSObject(item);
    }

    /// <summary>
    /// A list of items rather than one record. Strings, byte arrays (a BLOB value) and
    /// dictionaries (a hashtable is one plain object) are single records although enumerable.
    /// </summary>
    static bool IsCollection(object value) =>
        value is IEnumerable and not string and not byte[] and not IDictionary;
}
