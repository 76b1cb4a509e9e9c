using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Target;

namespace Migration.Engine.Session;

/// <summary>How a <see cref="MigrationSession"/> runs: the target's options and the run's policies.</summary>
public sealed record SessionOptions
{
    /// <summary>How rows are written; <see cref="ImportOptions.DryRun"/> makes the whole session dry (no journal, no error log).</summary>
    public ImportOptions Import { get; init; } = new();

    /// <summary>Keep the run journal in the target (resume, undo). Off: a throwaway target. Never in a dry run.</summary>
    public bool Journal { get; init; } = true;

    /// <summary>Where the rows come from, with no secret (recorded in the journal).</summary>
    public string? Source { get; init; }

    /// <summary>The tables the run means to write (informational, recorded in the journal).</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>The conversion options, when the session's caller converts with them (recorded in the run's options text).</summary>
    public ConversionOptions? Conversion { get; init; }

    /// <summary>Continue an unfinished run (the newest, or <see cref="RunId"/>).</summary>
    public bool Resume { get; init; }

    public long? RunId { get; init; }

    /// <summary>A new run only: copy the database here first. See <see cref="MigrationSession.DefaultBackupPath"/>.</summary>
    public string? BackupPath { get; init; }

    /// <summary>The run stops (Failed, resumable) once more than this many rows failed.</summary>
    public long MaxErrors { get; init; } = long.MaxValue;

    /// <summary>How the front end spells the error limit and the resume switch, for the message that stops the run.</summary>
    public string MaxErrorsOption { get; init; } = "-MaxErrors";

    public string ResumeOption { get; init; } = "-Resume";

    /// <summary>Also write every failed row to this CSV file (full path; not in a dry run).</summary>
    public string? ErrorLogPath { get; init; }

    /// <summary>A test hook: wraps the run's journal to watch each batch inside its transaction.</summary>
    public Func<IBatchJournal, IBatchJournal>? ObserveJournal { get; init; }

    /// <summary>The options as the journal records them (one text for every front end).</summary>
    public string OptionsText()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"BatchSize={Import.BatchSize} OnConflict={Import.OnConflict} MaxRowBytes={Import.Limits.MaxRowBytes}");
        return Conversion is null ? text
            : text + string.Create(CultureInfo.InvariantCulture, $" TimestampFormat={Conversion.TimestampFormat} NumericAs={Conversion.NumericAs} NonFinite={Conversion.NonFinite}");
    }
}
