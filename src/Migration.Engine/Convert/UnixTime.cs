namespace Migration.Engine.Convert;

/// <summary>
/// The one Unix-time rule, for timestamp columns and for plain date-times alike: seconds or
/// milliseconds since 1970-01-01 UTC; infinity and an instant beyond a 64-bit count are
/// rejections; a sub-second (sub-millisecond) part is a rejection unless AllowPrecisionLoss,
/// which truncates toward negative infinity (1969-12-31 23:59:59.5 -> -1 s).
/// </summary>
internal static class UnixTime
{
    /// <summary>
    /// The Unix count of <paramref name="pgMicros"/> (microseconds since 2000-01-01, with
    /// long.MaxValue/long.MinValue for infinity/-infinity, as Postgres stores them).
    /// </summary>
    public static long FromPgMicros(long pgMicros, TimestampFormat format, bool allowPrecisionLoss)
    {
        var (unit, unitName) = format switch
        {
            TimestampFormat.UnixSeconds => (Source.PgCalendar.MicrosPerSecond, "second"),
            TimestampFormat.UnixMilliseconds => (1000L, "millisecond"),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a Unix timestamp format."),
        };
        if (pgMicros == long.MaxValue || pgMicros == long.MinValue)
            throw new ValueRejectedException($"{(pgMicros > 0 ? "infinity" : "-infinity")} has no Unix time; use TimestampFormat Iso8601 or SqliteDateTime");
        long unix;
        try { unix = checked(pgMicros + DateTimeText.UnixEpochFromPgMicros); }
        catch (OverflowException) { throw new ValueRejectedException("timestamp out of range for Unix time"); }
        var q = Math.DivRem(unix, unit, out var rem);
        if (rem == 0) return q;
        if (!allowPrecisionLoss)
            throw new ValueRejectedException($"has a sub-{unitName} part that {format} would drop; set AllowPrecisionLoss to truncate it, or use an ISO format");
        return rem < 0 ? q - 1 : q;
    }
}
