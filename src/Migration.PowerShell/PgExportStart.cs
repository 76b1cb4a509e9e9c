using System.Management.Automation;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.PowerShell.Commands;

namespace Migration.PowerShell;

/// <summary>
/// Where Export-PgTable starts each table: after -AfterKey (one table), after the key the
/// -ResumeFrom run committed last for it (<see cref="ExportStartPoints"/>), or at its start.
/// </summary>
internal sealed class PgExportStart
{
    readonly ExportPgTableCommand _cmdlet;
    readonly ExportStartPoints? _resume;

    PgExportStart(ExportPgTableCommand cmdlet, ExportStartPoints? resume)
    {
        _cmdlet = cmdlet;
        _resume = resume;
    }

    /// <summary>Checks -AfterKey and reads the checkpoints of -ResumeFrom; null after a terminating error.</summary>
    public static PgExportStart? Read(ExportPgTableCommand cmdlet, IReadOnlyList<TableSchema> schemas)
    {
        var resumeFrom = cmdlet.ResumeFrom;
        if (cmdlet.AfterKey is not null && (schemas.Count != 1 || resumeFrom is not null))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("-AfterKey takes one table and cannot go with -ResumeFrom."), "AfterKeyNeedsOneTable", ErrorCategory.InvalidArgument, cmdlet.AfterKey));
            return null;
        }
        if (resumeFrom is null) return new(cmdlet, null);
        ExportStartPoints resume;
        try
        {
            var path = FileSystemPaths.ResolveExisting(cmdlet, resumeFrom, literal: false, nameof(cmdlet.ResumeFrom));
            resume = ExportStartPoints.FromJournal(path, cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(cmdlet.RunId)) ? cmdlet.RunId : null);
            if (resume.IsEmpty) cmdlet.WriteVerbose($"{path} has no run to resume: every table is exported from its start.");
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "ResumeFromFailed", ErrorCategory.ReadError, resumeFrom));
            return null;
        }
        foreach (var schema in resume.WithoutKey(schemas))
            cmdlet.WriteWarning($"{schema.SourceDisplayName} has no primary key: it is exported from its start (Import-D1Batch -Resume takes the run's earlier rows there out first).");
        return new(cmdlet, resume);
    }

    /// <summary>The key a table's export starts after; null: from the start.</summary>
    public IReadOnlyList<object?>? After(TableSchema schema)
    {
        if (_cmdlet.AfterKey is { } afterKey) return [.. afterKey.Select(k => k is PSObject p ? p.BaseObject : k)];
        if (_resume is null) return null;
        var after = _resume.StartAfter(schema, out var runId);
        if (after is not null) _cmdlet.WriteVerbose($"{schema.SourceDisplayName}: resuming after the key run {runId} committed last.");
        return after;
    }
}
