namespace Migration.Engine.Journal;

/// <summary>
/// A row that could not be converted, passed down the pipeline by <c>ConvertTo-D1Row
/// -IncludeRejected</c> (after its error record) so that Import-D1Batch can quarantine it in the
/// run's journal: the quarantine then lists every row the run did not write, whichever cmdlet
/// stopped it. <see cref="Table"/> is the D1 table the row was meant for.
/// </summary>
public sealed record RejectedRow(string Table, string SourceTable, string Key, string Column, string Reason, string ValueExcerpt)
{
    public override string ToString() => $"Table {Table}, row {Key}, column {Column}: {Reason} (value: {ValueExcerpt})";
}
