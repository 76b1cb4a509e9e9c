using System.Text;
using Migration.Engine.Integrity;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

public class TableDigestTests
{
    static (UInt128 Key, UInt128 Row) Row(long id, string value)
    {
        var hasher = new RowHasher(["id", "v"], [0]);
        return hasher.Hash([id, value]);
    }

    static TableDigest Digest(IEnumerable<(long Id, string V)> rows, int buckets = 64)
    {
        var d = new TableDigest(buckets);
        foreach (var (id, v) in rows)
        {
            var (k, r) = Row(id, v);
            d.Add(k, r);
        }
        return d;
    }

    static List<(long, string)> Rows(int n) => [.. Enumerable.Range(1, n).Select(i => ((long)i, "v" + i))];

    [Fact]
    public void Row_order_does_not_matter()
    {
        var rows = Rows(1000);
        var a = Digest(rows);
        var b = Digest(Enumerable.Reverse(rows));
        Assert.Equal(a.Total, b.Total);
        Assert.Empty(a.DifferingBuckets(b));
    }

    [Fact]
    public void A_lost_an_extra_and_a_duplicated_row_change_the_digest()
    {
        var rows = Rows(100);
        var a = Digest(rows);
        Assert.NotEqual(a.Total, Digest(rows.Skip(1)).Total);
        Assert.NotEqual(a.Total, Digest(rows.Append((101, "v101"))).Total);
        var dup = Digest(rows.Append(rows[5]));
        Assert.NotEqual(a.Total, dup.Total);
        Assert.Equal(101, dup.Rows);
    }

    [Fact]
    public void Two_rows_swapping_their_values_change_the_digest()
    {
        var rows = Rows(10);
        var swapped = rows.ToList();
        swapped[0] = (1, "v2");
        swapped[1] = (2, "v1");
        Assert.NotEqual(Digest(rows).Total, Digest(swapped).Total);
    }

    [Fact]
    public void Only_the_bucket_of_the_changed_key_differs()
    {
        var rows = Rows(5000);
        var changed = rows.ToList();
        changed[1234] = (1235, "changed");
        var a = Digest(rows, 256);
        var b = Digest(changed, 256);
        var buckets = a.DifferingBuckets(b);
        var (key, _) = Row(1235, "changed");
        Assert.Equal([TableDigest.BucketOf(key, 256)], buckets);
    }

    [Fact]
    public void Content_hash_hex_has_32_digits()
    {
        var hex = ContentHash.ToHex(ContentHash.Of(Encoding.UTF8.GetBytes("x")));
        Assert.Matches("^[0-9a-f]{32}$", hex);
    }
}
