namespace Migration.Engine.Integrity;

/// <summary>
/// One side's order-independent summary of a table: per bucket (chosen by the row's key hash) the
/// sum of the row hashes mod 2^128 and the row count. The whole-table hash is the sum of the
/// buckets. Comparing two digests bucket by bucket tells which buckets hold a difference, so the
/// expensive row-by-row comparison only looks inside those. Memory is fixed by the bucket count,
/// not by the table's size.
/// </summary>
sealed class TableDigest
{
    readonly UInt128[] _sums;
    readonly long[] _counts;

    public TableDigest(int bucketCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketCount, 1);
        _sums = new UInt128[bucketCount];
        _counts = new long[bucketCount];
    }

    public int BucketCount => _sums.Length;
    public long Rows { get; private set; }
    public UInt128 Total { get; private set; }

    public static int BucketOf(UInt128 keyHash, int bucketCount) => (int)((ulong)keyHash % (ulong)bucketCount);

    public void Add(UInt128 keyHash, UInt128 rowHash)
    {
        var b = BucketOf(keyHash, _sums.Length);
        _sums[b] += rowHash;
        _counts[b]++;
        Total += rowHash;
        Rows++;
    }

    /// <summary>The buckets whose sums or counts differ, in bucket order.</summary>
    public IReadOnlyList<int> DifferingBuckets(TableDigest other)
    {
        if (other.BucketCount != BucketCount) throw new ArgumentException("Digests of different bucket counts.", nameof(other));
        var list = new List<int>();
        for (var i = 0; i < _sums.Length; i++)
            if (_sums[i] != other._sums[i] || _counts[i] != other._counts[i]) list.Add(i);
        return list;
    }
}
