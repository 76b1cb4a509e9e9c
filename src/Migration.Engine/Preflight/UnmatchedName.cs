namespace Migration.Engine.Preflight;

/// <summary>
/// A name given in a mapping parameter (-Exclude, -ColumnMap, -TableMap, -ColumnOverride,
/// -ComputedColumn) that matches nothing in the tables being migrated: almost always a typo,
/// and a silently ignored -Exclude migrates the very column the user meant to drop.
/// </summary>
/// <param name="Parameter">The parameter, without the dash (the CLI names its own option after it).</param>
/// <param name="Name">The name as given.</param>
/// <param name="Closest">The closest real name (edit distance), or null when there is none.</param>
/// <param name="What"><c>table</c> or <c>column</c>: what the name was meant to match.</param>
public sealed record UnmatchedName(string Parameter, string Name, string? Closest, string What)
{
    public override string ToString() =>
        $"-{Parameter} \"{Name}\" matches no {What} of the tables being migrated{(Closest is null ? "" : $"; did you mean \"{Closest}\"?")}";
}
