using System.Globalization;

namespace Migration.Engine.Journal;

/// <summary>Journal timestamps: ISO-8601 UTC text, which sorts as it reads and D1 compares as text.</summary>
internal static class JournalClock
{
    const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Now() => Format(DateTimeOffset.UtcNow);

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseOrNull(object? value) => value is string s ? Parse(s) : null;
}
