namespace Migration.Engine.Journal;

/// <summary>What a run records when it starts, and whether it continues an earlier one.</summary>
public sealed record RunStart
{
    /// <summary>Where the rows come from, with no secret (e.g. <see cref="Source.PgConnectionSettings.Describe"/>).</summary>
    public string? Source { get; init; }

    /// <summary>The tables the run means to write (informational; the journal records what it actually writes).</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>The options as an operator would read them (batch size, conflict mode, mapping).</summary>
    public string Options { get; init; } = "";

    /// <summary>A remote D1's Time Travel bookmark taken before the run's first write (recorded with a new run; a resumed run keeps its first).</summary>
    public string? TimeTravelBookmark { get; init; }

    /// <summary>Continue an unfinished run instead of starting a new one.</summary>
    public bool Resume { get; init; }

    /// <summary>With <see cref="Resume"/>: the run to continue (default: the newest run not undone).</summary>
    public long? RunId { get; init; }

    /// <summary>A new run only: copy the whole database here first (SQLite backup API), so Undo can restore it.</summary>
    public string? BackupPath { get; init; }
}
