namespace Migration.Engine.Journal;

/// <summary>What undoing a run does to one table (Undo-Migration -WhatIf lists these; Undo-Migration emits them).</summary>
public sealed record UndoAction(
    long RunId,
    string Table,
    bool DropTable,
    long RowsToDelete,
    long RowsToRestore,
    bool Done)
{
    /// <summary>The table was empty before the run: undo empties it again (all its rows are the run's).</summary>
    public bool EmptiesTable { get; init; }

    /// <summary>Drop the table / empty it / delete N rows the run inserted / restore N rows it replaced or updated.</summary>
    public string Description => DropTable
        ? "drop the table (the run created it)"
        : EmptiesTable
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"empty the table ({RowsToDelete} rows; it was empty before the run)")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"delete {RowsToDelete} rows the run inserted, restore {RowsToRestore} rows it replaced or updated");
}
