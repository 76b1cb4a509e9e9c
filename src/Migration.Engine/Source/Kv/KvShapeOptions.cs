namespace Migration.Engine.Source.Kv;

/// <summary>
/// How KV entries become rows (ConvertTo-D1Row's -KeyPattern, -ExpandProperty,
/// -ExpirationColumn, -MetadataColumn, -KeyColumn, -AllowNonJson): see <see cref="KvRowShaper"/>.
/// Test-MigrationIntegrity takes the same options, so it shapes the entries as the import did.
/// </summary>
public sealed record KvShapeOptions
{
    /// <summary>The key's fields (null: the key must hold none; its text is not a column).</summary>
    public KvKeyPattern? KeyPattern { get; init; }

    /// <summary>The column a scalar value (or each scalar element of an array) goes into; <see cref="KvRowShaper.DefaultValueColumn"/> when null.</summary>
    public string? ExpandProperty { get; init; }

    /// <summary>A column for the key's expiration (Unix seconds, NULL when it never expires); none when null.</summary>
    public string? ExpirationColumn { get; init; }

    /// <summary>A column for the key's metadata (JSON text); none when null.</summary>
    public string? MetadataColumn { get; init; }

    /// <summary>A column for the KV key itself; none when null.</summary>
    public string? KeyColumn { get; init; }

    /// <summary>
    /// A value that is not JSON becomes one row holding it as it is (text, or bytes when it is not
    /// UTF-8) in the <see cref="ExpandProperty"/> column, instead of failing as invalid JSON. Off
    /// by default: a namespace of JSON values holds a broken one far more often than a plain string.
    /// </summary>
    public bool AllowNonJson { get; init; }

    /// <summary>
    /// The options from the cmdlet parameters, or null when none is given. Throws
    /// <see cref="ArgumentException"/> for a malformed pattern or a column named twice.
    /// </summary>
    public static KvShapeOptions? Create(string? keyPattern, string? expandProperty, string? expirationColumn,
        string? metadataColumn, string? keyColumn, bool allowNonJson)
    {
        if (keyPattern is null && expandProperty is null && expirationColumn is null && metadataColumn is null && keyColumn is null && !allowNonJson)
            return null;
        var pattern = keyPattern is null ? null : KvKeyPattern.Parse(keyPattern);
        var names = new[] { expandProperty, expirationColumn, metadataColumn, keyColumn }.OfType<string>().ToList();
        names.AddRange(pattern?.Fields ?? []);
        var twice = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new ArgumentException($"The column \"{twice.Key}\" is named twice among -KeyPattern's fields, -ExpandProperty, -ExpirationColumn, -MetadataColumn and -KeyColumn.");
        return new KvShapeOptions
        {
            KeyPattern = pattern,
            ExpandProperty = expandProperty,
            ExpirationColumn = expirationColumn,
            MetadataColumn = metadataColumn,
            KeyColumn = keyColumn,
            AllowNonJson = allowNonJson,
        };
    }

    /// <summary>The columns that identify a key's rows in the target: the pattern's fields and the key column.</summary>
    public IReadOnlyList<string> KeyFieldColumns =>
        [.. KeyPattern?.Fields ?? [], .. KeyColumn is null ? [] : new[] { KeyColumn }];
}
