using System.Management.Automation;

namespace Migration.PowerShell;

/// <summary>
/// Write-Progress for the rows of one exported table (Export-PgTable, Export-D1Table): throttled
/// (<see cref="ProgressThrottle"/>), "n of about m rows" with a percentage when the source
/// estimated the count (never 100 before the end: an estimate can be low), and a verbose line
/// with the count at the end.
/// </summary>
internal sealed class TableExportProgress(Cmdlet cmdlet, string activity, string name, long estimate, string status)
{
    readonly ProgressRecord _record = new(1, activity, status);
    readonly ProgressThrottle _throttle = ProgressThrottle.Default();
    long _estimate = estimate;

    /// <summary>The source's count, when it learns it after the start (a remote D1 counts each table first); any thread.</summary>
    public void Estimate(long rows) => Volatile.Write(ref _estimate, rows);

    /// <summary>Called after each row with the rows so far.</summary>
    public void Row(long rows)
    {
        if (!_throttle.ShouldReport()) return;
        var total = Volatile.Read(ref _estimate);
        _record.StatusDescription = total > 0 ? $"{name}: {rows} of about {total} rows" : $"{name}: {rows} rows";
        _record.PercentComplete = total > 0 ? (int)Math.Min(99, rows * 100 / total) : -1;
        cmdlet.WriteProgress(_record);
    }

    public void Complete(long rows)
    {
        _record.RecordType = ProgressRecordType.Completed;
        cmdlet.WriteProgress(_record);
        cmdlet.WriteVerbose($"{name}: {rows} rows exported.");
    }
}
