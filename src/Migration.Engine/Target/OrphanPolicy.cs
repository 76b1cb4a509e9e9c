namespace Migration.Engine.Target;

/// <summary>
/// What happens to a row whose foreign key names a parent row that is not there (possible when
/// the source declares no foreign key, or declared it NOT VALID). D1 enforces foreign keys, so
/// such a row cannot be written as it is.
/// </summary>
public enum OrphanPolicy
{
    /// <summary>The row is refused and reported as a row error (default).</summary>
    Fail,
    /// <summary>The row is left out, counted as skipped, and reported.</summary>
    Skip,
    /// <summary>The foreign key's columns are written NULL (only when they are nullable; else the row fails), and reported.</summary>
    Null,
}

/// <summary>One orphan row and what was done with it (Skipped, SetNull, Refused).</summary>
/// <param name="Table">The D1 table.</param>
/// <param name="Key">The row's key, as in row errors.</param>
/// <param name="ForeignKey">The foreign key's name.</param>
/// <param name="ParentTable">The D1 table the parent row is missing from.</param>
/// <param name="Value">The key value(s) that have no parent.</param>
/// <param name="Action">Skipped, SetNull or Refused.</param>
public sealed record OrphanRow(string Table, string Key, string ForeignKey, string ParentTable, string Value, string Action)
{
    public override string ToString() => $"Table {Table}, row {Key}: foreign key {ForeignKey} -> {ParentTable} ({Value}) has no parent row; {Action}.";
}
