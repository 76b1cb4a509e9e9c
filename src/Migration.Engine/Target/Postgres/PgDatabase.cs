using Migration.Engine.Journal;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.Engine.Target.Postgres;

/// <summary>
/// PostgreSQL as a target (D1 -> PostgreSQL): existing tables, written by binary COPY
/// (<see cref="PgTarget"/>), one batch and its journal row per transaction, in a run journaled in
/// the target itself (<see cref="PgRun"/>); undo deletes a run's rows by the transaction ids of
/// its batches (<see cref="PgUndo"/>). A <see cref="Session.MigrationSession"/> drives it as it
/// drives the D1 targets; Import-PgTable is its front end.
/// </summary>
public sealed class PgDatabase(PgConnectionSettings settings, PgTargetOptions options) : ITargetDatabase
{
    public PgConnectionSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    public PgTargetOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public IUndoStrategy Undo { get; } = new PgUndo(settings, options.JournalSchema);

    /// <summary>The run's options are this target's (batch size, id map, orphan policy), as the journal records them.</summary>
    public IJournaledRun StartRun(RunStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.BackupPath is not null) throw new ArgumentException("A Postgres target is not backed up to a file; undo takes a run back from its journal.", nameof(start));
        return PgRun.Start(Settings, Options.JournalSchema, start, Options.OptionsText(), Options.IdMap != IdMapMode.None, Options.DeferForeignKeys);
    }

    /// <summary>
    /// The writer of <paramref name="run"/>; a Postgres target always writes in a journaled run
    /// (no dry run here: Import-PgTable -WhatIf counts rows without a session). Of
    /// <paramref name="options"/> only <see cref="ImportOptions.StopAtFirstRefusal"/> applies: the
    /// batch size, id map and orphan policy are <see cref="Options"/>.
    /// </summary>
    public IRowTarget Open(ImportOptions options, IJournaledRun? run, Func<IBatchJournal, IBatchJournal>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (run is not PgRun pg) throw new ArgumentException("A Postgres target writes in a run it started (StartRun).", nameof(run));
        if (observe is not null) throw new NotSupportedException("A Postgres target's journal is not observable batch by batch.");
        return new PgTarget(pg, Settings, Options, options.StopAtFirstRefusal);
    }

    /// <summary>Nothing of D1's limits applies; the tables exist, and the converter mapped every row to one of them.</summary>
    public PreflightReport CheckTargets(IReadOnlyList<TableSchema> tables, D1Limits limits, bool loadOrder) => new([], tables);

    public override string ToString() => Settings.Describe();
}
