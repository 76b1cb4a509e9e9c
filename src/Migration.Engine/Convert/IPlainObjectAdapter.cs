namespace Migration.Engine.Convert;

/// <summary>
/// How a host's own objects open up for <see cref="PlainObjectReader"/> (the cmdlets: PSObject
/// and PSCustomObject). The engine reads dictionaries, lists and JSON itself.
/// </summary>
public interface IPlainObjectAdapter
{
    /// <summary>The object a host wrapper holds; any other value as it is.</summary>
    object BaseObject(object value);

    /// <summary>The readable named values of a host object (a record's columns); null for values the host does not know.</summary>
    IEnumerable<KeyValuePair<string, object?>>? Properties(object value);

    /// <summary>Whether a nested value is a bag of named values (read as a dictionary) rather than a value.</summary>
    bool IsPropertyBag(object value);
}
