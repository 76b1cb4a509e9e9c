using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.PowerShell;

/// <summary>
/// Export-PgTable's and Export-D1Schema's shared choice of tables: named tables as given, or
/// (with -All, or with a wildcard in a -Table entry) every matching table of the database in
/// foreign-key dependency order.
/// </summary>
public static class PgTableChooser
{
    /// <summary>Whether the parameters ask for a catalog-wide selection rather than named tables.</summary>
    public static bool IsSelection(bool all, IReadOnlyCollection<string> tables) => all || tables.Any(Wildcard.HasWildcards);

    /// <summary>
    /// The tables to export, described. <paramref name="log"/> gets the load order and the cyclic
    /// foreign keys (verbose output).
    /// </summary>
    public static IReadOnlyList<TableSchema> Describe(PgExporter exporter, bool all, IReadOnlyList<string> tables, IReadOnlyList<string>? schemas,
        IReadOnlyList<string>? excludeTables, IReadOnlyCollection<string>? columns, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        ArgumentNullException.ThrowIfNull(log);
        if (!IsSelection(all, tables))
        {
            if (tables.Count == 0) throw new ArgumentException("Give the tables to export (-Table), or -All for every table of the database.");
            if (schemas is { Count: > 0 } || excludeTables is { Count: > 0 })
                throw new ArgumentException("-Schema and -ExcludeTable select among all tables: use them with -All (or a wildcard in -Table).");
            return exporter.Describe(tables, columns);
        }
        if (columns is not null) throw new ArgumentException("-Column applies to named tables; with -All, leave columns out with ConvertTo-D1Row -Exclude.");
        var selection = new PgTableSelection(schemas, tables.Count > 0 ? tables : null, excludeTables);
        var described = exporter.DescribeAll(selection, out var forward);
        log($"{described.Count} tables in foreign-key dependency order: {string.Join(", ", described.Select(t => t.SourceDisplayName))}.");
        foreach (var f in forward)
            log($"Cycle: {f} points to a table loaded later; Import-D1Batch loads it NULL first and fills it in after the load (insert-then-update).");
        return described;
    }
}
