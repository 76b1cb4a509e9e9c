using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// The writer of one target, as a <see cref="Session.MigrationSession"/> uses it: takes
/// converted rows, writes them in batches (each batch's rows and the journal's statements commit
/// together or not at all, see <see cref="IBatchJournal"/>) and reports what happened through
/// its events, raised on the caller's thread. <see cref="SqliteTarget"/> is the local file's.
/// </summary>
public interface IRowTarget : IDisposable
{
    /// <summary>Raised after each batch commits.</summary>
    event Action<BatchResult>? BatchCommitted;

    /// <summary>Raised for each row that was refused; the run goes on.</summary>
    event Action<RowError>? RowFailed;

    /// <summary>Raised for each row whose parent row is missing, with what the orphan policy did.</summary>
    event Action<OrphanRow>? OrphanFound;

    /// <summary>Raised for what the target itself leaves out of a table's definition.</summary>
    event Action<SchemaWarning>? SchemaWarningRaised;

    /// <summary>How the load goes about things worth a verbose line.</summary>
    event Action<string>? Log;

    /// <summary>Rows, requests, bytes and rate so far, and the remote's own messages (targets that write over a network; none by default).</summary>
    event Action<TargetProgress>? Progress { add { } remove { } }

    /// <summary>The tables this target created (in a dry run: would create), in the order it met them.</summary>
    IReadOnlyList<string> CreatedTables { get; }

    /// <summary>
    /// Tables a preflight refused (target names): never created, no row of theirs is added, and a
    /// foreign key naming one is not created while each row with a value there is an orphan
    /// under the orphan policy. Called before the first row of their set.
    /// </summary>
    void Refuse(IEnumerable<string> tables);

    /// <summary>Adds one row of the target's kind; writes a batch when one is full.</summary>
    void Add(Row row);

    /// <summary>Writes what is buffered and returns one summary per table.</summary>
    IReadOnlyList<TableSummary> Complete();
}
