using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Npgsql;

namespace Migration.Engine.Target.Postgres;

/// <summary>
/// One D1 -> PostgreSQL run, journaled in the target (<see cref="PgJournal"/>, schema
/// <c>migration_journal</c>): the <see cref="IJournaledRun"/> a <see cref="Session.MigrationSession"/>
/// drives, started by <see cref="PgDatabase.StartRun"/>. It owns the one connection the run
/// writes on: <see cref="PgTarget"/> copies each batch and adds the batch's journal row, id-map
/// entries and quarantine in the same transaction, so rows and journal commit together.
/// </summary>
/// <remarks>
/// Why not <see cref="MigrationRun"/> over an <see cref="IJournalConnection"/>: the journal's
/// SQL (<see cref="JournalStore"/>, <see cref="JournalTables"/>) is SQLite's, and its undo
/// keeps row images through TEMP triggers; here every row of a batch carries the batch's
/// transaction id (<c>xmin</c>), which is all undo needs (<see cref="PgUndo"/>), and the journal
/// also holds the id map. The session sees the same interface either way.
/// </remarks>
public sealed class PgRun : IJournaledRun
{
    readonly PgConnectionSettings _settings;
    bool _finished;

    PgRun(PgConnectionSettings settings, PgJournal journal, NpgsqlConnection connection)
    {
        _settings = settings;
        Journal = journal;
        Connection = connection;
    }

    internal PgJournal Journal { get; }
    internal NpgsqlConnection Connection { get; }

    /// <summary>Per source table: batches committed, target table and the checkpoint key (read when a run resumes).</summary>
    internal Dictionary<string, (int Batches, string Target, object?[]? LastKey)> Checkpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>Per target table: the source tables written into it (a second one merges).</summary>
    internal Dictionary<string, HashSet<string>> SourcesOfTarget { get; } = new(StringComparer.Ordinal);

    /// <summary>Per source table: the last batch number.</summary>
    internal Dictionary<string, int> BatchNumbers { get; } = new(StringComparer.Ordinal);

    /// <summary>Every id mapped so far, by any run (a resumed or later run reuses them).</summary>
    internal IdMap Ids { get; } = new();

    /// <summary>Rows quarantined upstream, written with the next batch (or at the run's end).</summary>
    internal List<QuarantineEntry> PendingQuarantine { get; } = [];

    public long RunId { get; private set; }
    public bool IsResumed { get; private set; }
    public RunStatus StatusAtStart { get; private set; } = RunStatus.Running;
    public int Attempts { get; private set; }
    public IReadOnlyList<string> RestartedTables => [];
    public long RowsAlreadyWritten { get; private set; }

    /// <summary>Rows quarantined by this attempt (upstream, and by the target in committed batches).</summary>
    public long Quarantined { get; internal set; }

    /// <summary>Where the journal is, with no secret: <c>user@host:port/database</c>.</summary>
    public string Describe() => _settings.Describe();

    /// <summary>
    /// Starts a run, or resumes one (the newest not undone, or <see cref="RunStart.RunId"/>). A run
    /// that completed already is returned with <see cref="StatusAtStart"/> Completed and nothing to do.
    /// </summary>
    internal static PgRun Start(PgConnectionSettings settings, string? journalSchema, RunStart start, string options, bool loadIdMap, bool deferForeignKeys = false)
    {
        var connection = settings.OpenConnection();
        var run = new PgRun(settings, new PgJournal(journalSchema), connection);
        try
        {
            using (var cmd = new NpgsqlCommand("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET standard_conforming_strings = on", connection))
                cmd.ExecuteNonQuery();
            run.Begin(start, options, loadIdMap, deferForeignKeys);
            return run;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Foreign keys are checked once at the end of the run, not per row (-DeferForeignKeys, in this
    /// attempt or in the journaled options of the run it resumes).
    /// </summary>
    internal bool DeferForeignKeys { get; private set; }

    void Begin(RunStart start, string options, bool loadIdMap, bool deferForeignKeys)
    {
        Journal.Ensure(Connection);
        if (start.Resume)
        {
            var found = Journal.Find(Connection, start.RunId)
                ?? throw new InvalidOperationException(start.RunId is null ? $"There is no run to resume in {Describe()}." : $"There is no run {start.RunId} in {Describe()}.");
            RunId = found.RunId;
            IsResumed = true;
            StatusAtStart = found.Status;
            if (found.Status == RunStatus.Undone) throw new InvalidOperationException($"Run {RunId} in {Describe()} was undone; start a new run instead of resuming it.");
            if (found.Status.IsComplete()) { _finished = true; return; }
            // A run that deferred its foreign keys keeps deferring and validating when resumed
            // (rows loaded before the kill were never checked); one that starts deferring on a
            // resume has it journaled, so every later attempt validates too.
            var journaled = Journal.Options(Connection, RunId).Contains(PgForeignKeyDeferral.Option, StringComparison.Ordinal);
            DeferForeignKeys = deferForeignKeys || journaled;
            if (DeferForeignKeys) PgForeignKeyDeferral.Begin(Connection, Journal.Schema);
            if (deferForeignKeys && !journaled) Journal.AddOption(Connection, RunId, PgForeignKeyDeferral.Option);
            Journal.Reopen(Connection, RunId);
            foreach (var (source, cp) in Journal.Checkpoints(Connection, RunId))
            {
                Checkpoints[source] = cp;
                BatchNumbers[source] = cp.Batches;
                Sources(cp.Target).Add(source);
            }
        }
        else
        {
            if (start.RunId is not null) throw new ArgumentException("A run id is given only to resume that run.");
            // Checked before the run exists: a refusal leaves no run behind.
            DeferForeignKeys = deferForeignKeys;
            if (DeferForeignKeys) PgForeignKeyDeferral.Begin(Connection, Journal.Schema);
            RunId = Journal.Begin(Connection, start.Source, options);
        }
        if (loadIdMap) Journal.LoadIdMap(Connection, Ids);
        using var cmd = new NpgsqlCommand($"SELECT attempts FROM {Journal.Runs} WHERE run_id = $1", Connection);
        cmd.Parameters.AddWithValue(RunId);
        Attempts = System.Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal HashSet<string> Sources(string target)
    {
        if (!SourcesOfTarget.TryGetValue(target, out var set)) SourcesOfTarget[target] = set = new HashSet<string>(StringComparer.Ordinal);
        return set;
    }

    /// <summary>The checkpoints are by source table (a keyset read after them is the source's business): null.</summary>
    public IReadOnlyList<object?>? ResumeKey(string table) => null;

    /// <summary>On a resumed run: the row's source key is at or before its source table's checkpoint (SQLite's key order).</summary>
    public bool IsAlreadyWritten(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!IsResumed || row.SourceKey is not { } key) return false;
        var schema = row.GetSchema();
        if (!Checkpoints.TryGetValue(schema.Source?.Name ?? schema.Name, out var cp) || cp.LastKey is not { } last) return false;
        if (SqliteKeyOrder.Compare(key, last) > 0) return false;
        RowsAlreadyWritten++;
        return true;
    }

    public void Quarantine(string table, string? sourceTable, string key, string? column, string reason, string valueExcerpt, QuarantineStage stage)
    {
        PendingQuarantine.Add(new QuarantineEntry(table, sourceTable, key, column, stage.ToString(), reason, valueExcerpt));
        Quarantined++;
    }

    /// <summary>Writes what is left in the quarantine and marks the run Completed, in one transaction.</summary>
    public void Complete() => Finish(RunStatus.Completed, null);

    public void CompleteWithRefusedTables(string message) => Finish(RunStatus.CompletedWithRefusedTables, message);

    void Finish(RunStatus status, string? message)
    {
        using (var tx = Connection.BeginTransaction())
        {
            foreach (var q in PendingQuarantine) Journal.AddQuarantine(Connection, RunId, q);
            Journal.Finish(Connection, RunId, status, message);
            tx.Commit();
        }
        PendingQuarantine.Clear();
        _finished = true;
    }

    /// <summary>Marks the run Failed (resumable); when even that cannot be written the run stays Running, which resumes the same way.</summary>
    public void Fail(string message)
    {
        if (_finished || RunId == 0) return;
        _finished = true;
        try { Journal.Finish(Connection, RunId, RunStatus.Failed, message); }
        catch (NpgsqlException) { /* the run stays Running, which resumes the same way */ }
    }

    public void Dispose()
    {
        if (!_finished) Fail("stopped before it completed; resume it");
        Connection.Dispose();
    }
}
