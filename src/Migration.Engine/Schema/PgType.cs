namespace Migration.Engine.Schema;

/// <summary>
/// A PostgreSQL column type as the catalog describes it.
/// </summary>
/// <param name="Name">The type's name as <c>format_type()</c> prints it, e.g. <c>numeric(12,4)</c>, <c>text[]</c>, <c>timestamp with time zone</c>.</param>
/// <param name="Family">How the value is read and converted.</param>
/// <param name="Oid">The type's oid (0 when not from a catalog).</param>
/// <param name="Precision">Declared precision of numeric(p,s), or null.</param>
/// <param name="Scale">Declared scale of numeric(p,s), or null.</param>
/// <param name="Element">For arrays: the element type.</param>
public sealed record PgType(
    string Name,
    PgTypeFamily Family,
    uint Oid = 0,
    int? Precision = null,
    int? Scale = null,
    PgType? Element = null)
{
    public override string ToString() => Name;
}
