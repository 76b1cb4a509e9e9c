using System.Text;

namespace Migration.Engine.Target.Postgres;

/// <summary>
/// Compares two keys as SQLite orders them (ORDER BY with the BINARY collation): NULL first, then
/// numbers (INTEGER and REAL by value), then TEXT (by its UTF-8 bytes), then BLOBs (by bytes);
/// columns left to right. A resumed run compares a D1 row's key with its table's checkpoint so.
/// </summary>
internal static class SqliteKeyOrder
{
    public static int Compare(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var c = CompareValue(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Count.CompareTo(b.Count);
    }

    static int Rank(object? v) => v switch { null => 0, long or double => 1, string => 2, _ => 3 };

    static int CompareValue(object? x, object? y)
    {
        var (rx, ry) = (Rank(x), Rank(y));
        if (rx != ry) return rx.CompareTo(ry);
        return (x, y) switch
        {
            (null, null) => 0,
            (long l1, long l2) => l1.CompareTo(l2),
            (long l, double d) => -CompareMixed(d, l),
            (double d, long l) => CompareMixed(d, l),
            (double d1, double d2) => d1.CompareTo(d2),
            (string s1, string s2) => Encoding.UTF8.GetBytes(s1).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(s2)),
            (byte[] b1, byte[] b2) => b1.AsSpan().SequenceCompareTo(b2),
            _ => 0,
        };
    }

    static int CompareMixed(double d, long l) => d < l ? -1 : d > l ? 1 : ((decimal)d).CompareTo((decimal)l);
}
