using System.Diagnostics;

namespace Migration.PowerShell;

/// <summary>
/// Limits Write-Progress to a few updates per second: the host redraws on every record, and a
/// record per row would cost more than the rows themselves. It is asked once per row, so it
/// reads the clock only every <see cref="CallsPerClockRead"/> calls.
/// </summary>
public sealed class ProgressThrottle
{
    /// <summary>Calls between two reads of the clock (a few microseconds of rows at most).</summary>
    public const int CallsPerClockRead = 64;

    readonly long _intervalTicks;
    long _lastReport;
    bool _reported;
    int _calls;

    public ProgressThrottle(TimeSpan interval) => _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);

    public static ProgressThrottle Default() => new(TimeSpan.FromMilliseconds(250));

    /// <summary>True on the first call and then at most once per interval (checked every <see cref="CallsPerClockRead"/> calls).</summary>
    public bool ShouldReport()
    {
        if (_reported && ++_calls < CallsPerClockRead) return false;
        _calls = 0;
        var now = Stopwatch.GetTimestamp();
        if (_reported && now - _lastReport < _intervalTicks) return false;
        _reported = true;
        _lastReport = now;
        return true;
    }
}
