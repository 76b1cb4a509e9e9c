using Migration.Engine.Schema;

namespace Migration.Engine.Source;

/// <summary>
/// The one choice of tables for every host (Export-PgTable, Export-D1Schema, <c>migration
/// migrate</c> and <c>migration schema</c>): named tables as given, or (with All, or a wildcard in
/// a Table entry) every matching table of the database in foreign-key dependency order. Schema
/// and ExcludeTable only select among all tables, so alone they are an error, never ignored.
/// </summary>
/// <param name="All">Every table of the database (minus system schemas).</param>
/// <param name="Tables">Named tables, or patterns when <see cref="IsSelection"/>.</param>
/// <param name="Schemas">Schema patterns (selection only).</param>
/// <param name="ExcludeTables">Table patterns to leave out (selection only).</param>
/// <param name="Columns">Columns to read (named tables only); null: all.</param>
/// <param name="Spelling">How the host spells its options in error text.</param>
public sealed record PgTableChooser(
    bool All,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string>? Schemas = null,
    IReadOnlyList<string>? ExcludeTables = null,
    IReadOnlyCollection<string>? Columns = null,
    OptionSpelling Spelling = OptionSpelling.Cmdlet)
{
    /// <summary>Whether the options ask for a catalog-wide selection rather than named tables.</summary>
    public bool IsSelection => All || Tables.Any(Wildcard.HasWildcards);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> for a combination that cannot be meant; needs no
    /// connection, so a host calls it before it opens or writes anything.
    /// </summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tables);
        if (!IsSelection)
        {
            if (Tables.Count == 0)
                throw new ArgumentException($"Give the tables to export ({Option("Table")}), or {Option("All")} for every table of the database.");
            if (Schemas is { Count: > 0 } || ExcludeTables is { Count: > 0 })
                throw new ArgumentException($"{Option("Schema")} and {Option("ExcludeTable")} select among all tables: use them with {Option("All")} (or a wildcard in {Option("Table")}).");
        }
        else if (Columns is not null)
            throw new ArgumentException($"{Option("Column")} applies to named tables; with {Option("All")}, leave columns out with {(Spelling == OptionSpelling.Cli ? "--exclude" : "ConvertTo-D1Row -Exclude")}.");
    }

    /// <summary>
    /// The chosen tables, described (after <see cref="Validate"/>). <paramref name="log"/> gets the
    /// load order and the cyclic foreign keys (verbose output).
    /// </summary>
    public IReadOnlyList<TableSchema> Describe(PgExporter exporter, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        ArgumentNullException.ThrowIfNull(log);
        Validate();
        if (!IsSelection) return exporter.Describe(Tables, Columns);
        var described = exporter.DescribeAll(new PgTableSelection(Schemas, Tables.Count > 0 ? Tables : null, ExcludeTables), out var forward);
        log($"{described.Count} tables in foreign-key dependency order: {string.Join(", ", described.Select(t => t.SourceDisplayName))}.");
        foreach (var f in forward)
            log($"Cycle: {f} points to a table loaded later; it is loaded NULL first and filled in after the load (insert-then-update).");
        return described;
    }

    /// <summary>An option's name as the host spells it: <c>-ExcludeTable</c> or <c>--exclude-table</c>.</summary>
    public string Option(string name) => Spelling == OptionSpelling.Cli
        ? "--" + string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()))
        : "-" + name;
}

/// <summary>How a host spells its option names in messages.</summary>
public enum OptionSpelling
{
    /// <summary>PowerShell parameters: <c>-ExcludeTable</c>.</summary>
    Cmdlet,
    /// <summary>Command-line options: <c>--exclude-table</c>.</summary>
    Cli,
}
