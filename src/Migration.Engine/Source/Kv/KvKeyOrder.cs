using System.Text;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// KV lists keys in the lexicographic order of their UTF-8 bytes (so does the SQLite table of
/// wrangler's local state, under its BINARY collation). A resume point is compared in that order,
/// not in .NET's UTF-16 order, which differs for characters beyond U+FFFF.
/// </summary>
public sealed class KvKeyOrder : IComparer<string>
{
    public static KvKeyOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}
