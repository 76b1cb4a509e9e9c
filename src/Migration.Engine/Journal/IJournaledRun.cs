using Migration.Engine.Schema;

namespace Migration.Engine.Journal;

/// <summary>
/// One run as a <see cref="Session.MigrationSession"/> drives it, whatever journal holds it: the
/// D1 targets' <see cref="MigrationRun"/> (tables of <see cref="JournalStore"/> in the target,
/// through <see cref="IJournalConnection"/>) and PostgreSQL's
/// <c>Target/Postgres/PgRun</c> (the schema <c>migration_journal</c> in the target). A target
/// database starts it (<see cref="Target.ITargetDatabase.StartRun"/>) and opens its writer on it;
/// the session asks it which rows are in already, quarantines through it and finishes it.
/// </summary>
public interface IJournaledRun : IDisposable
{
    long RunId { get; }

    /// <summary>True when this continues an earlier, unfinished attempt of the same run.</summary>
    bool IsResumed { get; }

    /// <summary>The run's status when it was started or resumed (Completed: there is nothing left to do).</summary>
    RunStatus StatusAtStart { get; }

    /// <summary>How many times the run was started (1 + resumes).</summary>
    int Attempts { get; }

    /// <summary>On a resumed run: tables without a checkpoint whose earlier rows were taken out, written again from their start.</summary>
    IReadOnlyList<string> RestartedTables { get; }

    /// <summary>Rows quarantined by this attempt.</summary>
    long Quarantined { get; }

    /// <summary>Rows a resumed run did not write again because an earlier attempt had committed them.</summary>
    long RowsAlreadyWritten { get; }

    /// <summary>The key of the last row this run committed into a target table, for a keyset read after it; null when none (or not known by target table).</summary>
    IReadOnlyList<object?>? ResumeKey(string table);

    /// <summary>On a resumed run: whether an earlier attempt committed this row (it is then not written again).</summary>
    bool IsAlreadyWritten(Row row);

    /// <summary>Records a row the run could not convert or write; it commits with the next batch (or the run's end), never ahead of the data.</summary>
    /// <param name="sourceTable">The source table the row came from, where the journal keeps it (null: not known).</param>
    void Quarantine(string table, string? sourceTable, string key, string? column, string reason, string valueExcerpt, QuarantineStage stage);

    /// <summary>Writes what is left (the quarantine, totals) and marks the run Completed.</summary>
    void Complete();

    /// <summary>Marks the run completed with refused tables; <paramref name="message"/> names them.</summary>
    void CompleteWithRefusedTables(string message);

    /// <summary>Marks the run Failed (resumable) with a reason; what was committed stays.</summary>
    void Fail(string message);
}
