namespace Migration.Engine.Source.Kv;

/// <summary>
/// How KV entries become rows (ConvertTo-D1Row's -KeyPattern, -ExpandProperty,
/// -ExpirationColumn, -MetadataColumn): see <see cref="KvRowShaper"/>.
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
}
