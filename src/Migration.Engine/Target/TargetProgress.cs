namespace Migration.Engine.Target;

/// <summary>
/// How far a target that writes over a network has got, for a front end's progress display
/// (Import-D1Batch draws it with Write-Progress): raised after each batch or import chunk, and for
/// each message D1's import reports while it ingests.
/// </summary>
/// <param name="RowsWritten">Rows committed so far.</param>
/// <param name="Requests">HTTP requests sent so far (writes, reads, probes, import polls).</param>
/// <param name="BytesSent">Request bytes sent so far.</param>
/// <param name="RowsPerSecond">Rows committed per second since the target opened.</param>
/// <param name="Message">What just happened (a chunk landed, D1's own import message), or null.</param>
public sealed record TargetProgress(long RowsWritten, long Requests, long BytesSent, double RowsPerSecond, string? Message = null)
{
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{RowsWritten:N0} rows written, {Requests:N0} requests, {BytesSent / 1e6:N1} MB sent, {RowsPerSecond:N0} rows/s");
}
