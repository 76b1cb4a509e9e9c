using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.Engine.Session;

/// <summary>
/// What a <see cref="MigrationSession"/> tells the front end that drives it (Import-D1Batch,
/// the CLI, a test). The session decides; the observer only reports: it writes errors,
/// warnings and objects in its host's way and makes no decision of its own. Every call comes on
/// the thread that called the session, never on the target's writer thread. An observer may
/// throw (PowerShell's WriteError under -ErrorAction Stop does): the session then stops there,
/// and the run stays resumable.
/// </summary>
public interface IMigrationObserver
{
    /// <summary>A journaled run was started or resumed (not called when it had completed already).</summary>
    void RunStarted(IJournaledRun run) { }

    /// <summary>
    /// A table was refused before any of its rows was written (D1's limits, a reserved name, two
    /// tables becoming one...): its rows are counted, not written, and every other table goes on.
    /// Said once per table, before the first row of its set.
    /// </summary>
    void TableRefused(Preflight.TableRefusedException refusal) { }

    /// <summary>A row could not be converted; it is quarantined and counted against the error limit.</summary>
    /// <param name="table">The target table the row was meant for.</param>
    void ConversionFailed(string table, ConversionException error) { }

    /// <summary>The target refused a row (constraint, limit, orphan under Fail); quarantined and counted.</summary>
    void RowFailed(RowError error) { }

    /// <summary>A batch committed (with the journal's entry for it).</summary>
    void BatchCommitted(BatchResult batch) { }

    /// <summary>A row whose parent row was missing, with what the orphan policy did (<c>Refused</c> ones are also a <see cref="RowFailed"/>).</summary>
    void OrphanFound(OrphanRow orphan) { }

    /// <summary>What the target's table does not carry from the source's definition (said once per table, before its first row).</summary>
    void DefinitionWarning(SchemaWarning warning) { }

    /// <summary>What the target itself left out (a foreign key to a table that is not there).</summary>
    void TargetWarning(SchemaWarning warning) { }

    /// <summary>A target writing over a network reports how far it has got: rows, requests, bytes, rate, and the remote's own messages (D1's import polls).</summary>
    void TargetProgress(TargetProgress progress) { }

    /// <summary>How the load goes about things worth a verbose line.</summary>
    void Verbose(string message) { }

    /// <summary>
    /// The first row of a table was handed to the target: the table's load plan in one line
    /// (source, columns, key, estimated rows, conflict mode, batch size, resume point). Its
    /// <see cref="TableSchema.EstimatedRows"/> sizes progress.
    /// </summary>
    void TableStarted(TableSchema table, string plan) { }

    /// <summary>A row was handed to the target (or counted, in a dry run): <paramref name="rowsInTable"/> so far.</summary>
    void RowSent(string table, long rowsInTable) { }

    /// <summary>The target completed and was closed (the run is Completed): the end-of-run figures, one per table.</summary>
    void Completed(IReadOnlyList<TableSummary> summaries) { }
}
