namespace Migration.Engine.Schema;

/// <summary>
/// Something of the source schema that the D1 schema does not carry as it was: an object left
/// out, or carried with a difference. Never silent: the DDL cmdlets and Import-D1Batch report
/// each one.
/// </summary>
/// <param name="Table">The table (source name for source warnings, D1 name for mapping warnings).</param>
/// <param name="ObjectKind">Table, Column, Default, Check, ForeignKey, Unique, Index, Constraint, PrimaryKey.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Reason">What happens to it and why.</param>
public sealed record SchemaWarning(string Table, string ObjectKind, string Name, string Reason)
{
    public override string ToString() => $"{Table}: {ObjectKind} {Name}: {Reason}";
}
