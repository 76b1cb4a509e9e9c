using Migration.Engine.Journal;

namespace Migration.Engine.Target.SqlFile;

/// <summary>
/// <c>.sql</c> files as a target, for users who deploy through wrangler: the rows become
/// statements that <c>wrangler d1 execute &lt;db&gt; --remote --file</c> accepts (see
/// <see cref="SqlFileTarget"/>), split into numbered files (<see cref="SqlFileSet"/>).
/// </summary>
/// <remarks>
/// No journal: the journal's start, resume and checkpoint read the database it lives in, and a
/// file being written cannot answer a query. A run into files is therefore a -NoJournal run
/// (no resume, no undo from the module); the files are its record, and each file is applied
/// by D1 as one import that lands whole or not at all.
/// </remarks>
public sealed class SqlFileDatabase(string path, long maxFileBytes = SqlFileSet.DefaultMaxFileBytes) : ITargetDatabase
{
    /// <summary>The folder (or the <c>.sql</c> file path) the files are written to.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    public long MaxFileBytes { get; } = maxFileBytes;

    /// <summary>Rows per INSERT when the caller sets no batch size: in practice D1's 100,000 bytes per statement decide.</summary>
    public const int DefaultBatchRows = 100_000;

    /// <summary>The files of the last <see cref="Open"/>ed writer, in the order they are to be applied.</summary>
    public IReadOnlyList<string> FilesWritten => _last?.Files ?? [];

    SqlFileTarget? _last;

    public IUndoStrategy Undo { get; } = new NoUndo();

    public MigrationRun StartRun(RunStart start) =>
        throw new NotSupportedException("A .sql file target keeps no journal (a file cannot answer the journal's reads): run it without one (-NoJournal semantics).");

    public IRowTarget Open(ImportOptions options, MigrationRun? run, Func<IBatchJournal, IBatchJournal>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (run is not null) throw new ArgumentException("A .sql file target keeps no journal; open it without a run.", nameof(run));
        return _last = new SqlFileTarget(new SqlFileSet(Path, MaxFileBytes), options);
    }


    IJournaledRun ITargetDatabase.StartRun(RunStart start) => StartRun(start);

    IRowTarget ITargetDatabase.Open(ImportOptions options, IJournaledRun? run, Func<IBatchJournal, IBatchJournal>? observe) =>
        Open(options, run is null ? null : run as MigrationRun ?? throw new ArgumentException("The run was not started by this database.", nameof(run)), observe);

    public override string ToString() => Path;

    sealed class NoUndo : IUndoStrategy
    {
        const string Why = "A run written to .sql files keeps no journal; undo it in the database that executed the files (e.g. D1 Time Travel).";
        public void Arm(IRowTarget target, long runId, IReadOnlySet<string> tablesWithRows) => throw new NotSupportedException(Why);
        public long? LastRun() => null;
        public UndoPlan Plan(long runId) => throw new NotSupportedException(Why);
        public IReadOnlyList<UndoAction> Undo(long runId, bool force = false) => throw new NotSupportedException(Why);
    }
}
