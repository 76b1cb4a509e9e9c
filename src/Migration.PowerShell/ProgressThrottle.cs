using System.Diagnostics;

namespace Migration.PowerShell;

/// <summary>
/// Limits Write-Progress to a few updates per second: the host redraws on every record, and a
/// record per row would cost more than the rows themselves.
/// </summary>
public sealed class ProgressThrottle
{
    readonly long _intervalTicks;
    long _lastReport;
    bool _reported;

    public ProgressThrottle(TimeSpan interval) => _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);

    public static ProgressThrottle Default() => new(TimeSpan.FromMilliseconds(250));

    /// <summary>True on the first call and then at most once per interval.</summary>
    public bool ShouldReport()
    {
        var now = Stopwatch.GetTimestamp();
        if (_reported && now - _lastReport < _intervalTicks) return false;
        _reported = true;
        _lastReport = now;
        return true;
    }
}
