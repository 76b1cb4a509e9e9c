using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// The second, narrowing pass of the checksum: only rows whose key falls into one of the chosen
/// differing buckets are kept (source first, then target), matched by key hash, and compared
/// column by column. Memory is bounded by the rows of the chosen buckets, not by the table.
/// A key seen more than once on a side (a duplicate in a target without that key) is counted.
/// </summary>
sealed class DifferenceFinder
{
    readonly HashSet<int> _buckets;
    readonly int _bucketCount;
    readonly IReadOnlyList<string> _columns;
    readonly Dictionary<UInt128, Entry> _entries = [];
    readonly List<Entry> _order = [];

    public DifferenceFinder(IEnumerable<int> buckets, int bucketCount, IReadOnlyList<string> columns)
    {
        _buckets = [.. buckets];
        _bucketCount = bucketCount;
        _columns = columns;
    }

    public bool Wants(UInt128 keyHash) => _buckets.Contains(TableDigest.BucketOf(keyHash, _bucketCount));

    public void AddSource(UInt128 keyHash, UInt128 rowHash, string key, object?[] values)
    {
        var e = EntryFor(keyHash, key);
        e.SourceCount++;
        e.SourceHash += rowHash;
        e.SourceValues ??= values;
    }

    public void AddTarget(UInt128 keyHash, UInt128 rowHash, string key, object?[] values)
    {
        var e = EntryFor(keyHash, key);
        e.TargetCount++;
        e.TargetHash += rowHash;
        e.TargetValues ??= values;
    }

    /// <summary>Keys that differ (in first-seen order: source order, then target-only keys) and up to <paramref name="max"/> differences.</summary>
    public (long DifferingKeys, IReadOnlyList<IntegrityDifference> Differences) Compare(int max)
    {
        long differing = 0;
        var list = new List<IntegrityDifference>();
        foreach (var e in _order)
        {
            if (e.SourceCount == e.TargetCount && e.SourceHash == e.TargetHash) continue;
            differing++;
            if (list.Count >= max) continue;
            if (e.SourceCount == 1 && e.TargetCount == 1)
            {
                var before = list.Count;
                for (var i = 0; i < _columns.Count && list.Count < max; i++)
                    if (!D1Value.Same(e.SourceValues![i], e.TargetValues![i]))
                        list.Add(new IntegrityDifference(e.Key, _columns[i], D1Value.Excerpt(e.SourceValues[i]), D1Value.Excerpt(e.TargetValues[i])));
                if (list.Count == before)
                    list.Add(new IntegrityDifference(e.Key, null, "row hash " + ContentHash.ToHex(e.SourceHash), "row hash " + ContentHash.ToHex(e.TargetHash)));
            }
            else
            {
                list.Add(new IntegrityDifference(e.Key, null, Rows(e.SourceCount), Rows(e.TargetCount)));
            }
        }
        return (differing, list);
    }

    static string Rows(int n) => n switch
    {
        0 => "no row",
        1 => "1 row",
        _ => n.ToString(CultureInfo.InvariantCulture) + " rows",
    };

    Entry EntryFor(UInt128 keyHash, string key)
    {
        if (!_entries.TryGetValue(keyHash, out var e))
        {
            _entries.Add(keyHash, e = new Entry(key));
            _order.Add(e);
        }
        return e;
    }

    /// <summary>A row's key as people read it: <c>id=42</c>, <c>a=1, b=x</c>.</summary>
    public static string DescribeKey(IReadOnlyList<string> columns, IReadOnlyList<int> keyOrdinals, object?[] values)
    {
        var sb = new StringBuilder();
        foreach (var k in keyOrdinals)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append(columns[k]).Append('=').Append(ValueExcerpt.Of(values[k], 30));
        }
        return sb.ToString();
    }

    sealed class Entry(string key)
    {
        public string Key { get; } = key;
        public int SourceCount;
        public UInt128 SourceHash;
        public object?[]? SourceValues;
        public int TargetCount;
        public UInt128 TargetHash;
        public object?[]? TargetValues;
    }
}
