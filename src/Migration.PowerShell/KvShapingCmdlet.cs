using System.Management.Automation;
using Migration.Engine.Source.Kv;

namespace Migration.PowerShell;

/// <summary>
/// The parameters that shape Workers KV entries into rows (ConvertTo-D1Row), declared once so
/// Test-MigrationIntegrity, which shapes the entries again to compare them, takes exactly the
/// same ones: a check must shape the entries as the import did.
/// </summary>
public abstract class KvShapingCmdlet : ConversionCmdlet
{
    /// <summary>
    /// For KV entries (Export-KvEntry): the key's shape, e.g. <c>'watchlist:{chat_id}'</c>; each
    /// field becomes a column of every row of the key. A key that does not match is an error naming it.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPattern { get; set; }

    /// <summary>For KV entries: the column a scalar value, or each element of an array of scalars, goes into (default: value).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ExpandProperty { get; set; }

    /// <summary>For KV entries: a column that receives the key's expiration (Unix seconds; NULL when it has none).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ExpirationColumn { get; set; }

    /// <summary>For KV entries: a column that receives the key's metadata (JSON text; NULL when it has none).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetadataColumn { get; set; }

    /// <summary>For KV entries: a column that receives the KV key itself.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyColumn { get; set; }

    /// <summary>
    /// For KV entries: a value that is not JSON becomes one row with its text (or its bytes, when
    /// it is not UTF-8) in the -ExpandProperty column (default: value), instead of failing as invalid JSON.
    /// </summary>
    [Parameter]
    public SwitchParameter AllowNonJson { get; set; }

    /// <summary>The KV shaping parameters, or null when none is given; throws <see cref="ArgumentException"/> for a malformed pattern or a column named twice.</summary>
    protected KvShapeOptions? KvShape() =>
        KvShapeOptions.Create(KeyPattern, ExpandProperty, ExpirationColumn, MetadataColumn, KeyColumn, AllowNonJson.IsPresent);
}
