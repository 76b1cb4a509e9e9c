using System.Management.Automation;

namespace Migration.PowerShell;

/// <summary>
/// Get-MigrationRun's and Undo-Migration's shared parameters: the D1 file whose journal is read
/// (-Path with wildcards, or -LiteralPath, which also binds a provider item's PSPath) and which
/// of its runs (-RunId, or -Last). Both bind from a MigrationRunInfo on the pipeline (its Path
/// and RunId), so <c>Get-MigrationRun ... | Undo-Migration</c> works.
/// </summary>
public abstract class JournalRunCmdlet : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>The database file; wildcards must match exactly one file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The database file, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>The run (bound from a run on the pipeline).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1L, long.MaxValue)]
    public long RunId { get; set; }

    /// <summary>The newest run.</summary>
    [Parameter]
    public SwitchParameter Last { get; set; }

    /// <summary>Whether -RunId was given (or bound from the pipeline) for this record.</summary>
    protected bool HasRunId => MyInvocation.BoundParameters.ContainsKey(nameof(RunId));

    /// <summary>The database's full path; a path that names no single existing file is a terminating error (InvalidPath).</summary>
    protected string ResolveDatabase()
    {
        var literal = ParameterSetName == LiteralPathSet;
        try
        {
            return FileSystemPaths.ResolveExisting(this, literal ? LiteralPath : Path, literal);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, literal ? LiteralPath : Path));
            throw; // not reached: ThrowTerminatingError throws
        }
    }
}
