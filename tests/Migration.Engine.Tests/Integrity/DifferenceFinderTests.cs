using Migration.Engine.Integrity;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

public class DifferenceFinderTests
{
    static readonly string[] Columns = ["id", "name", "score"];

    static DifferenceFinder Finder(RowHasher hasher, IEnumerable<object?[]> source, IEnumerable<object?[]> target)
    {
        // One bucket: every row is kept, as in a narrowing pass over a differing bucket.
        var f = new DifferenceFinder([0], 1, Columns);
        foreach (var v in source) { var (k, r) = hasher.Hash(v); f.AddSource(k, r, hasher.DescribeKey(v), v); }
        foreach (var v in target) { var (k, r) = hasher.Hash(v); f.AddTarget(k, r, hasher.DescribeKey(v), v); }
        return f;
    }

    [Fact]
    public void A_changed_value_is_named_by_key_and_column_with_both_values()
    {
        var hasher = new RowHasher(Columns, [0]);
        var (keys, diffs) = Finder(hasher,
            [[1L, "ann", 1.5], [2L, "bob", 2.0]],
            [[1L, "ann", 1.5], [2L, "bob", 2L]]).Compare(10);
        Assert.Equal(1, keys);
        var d = Assert.Single(diffs);
        Assert.Equal(("id=2", "score", "2.0", "2"), (d.Key, d.Column, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void Missing_extra_and_duplicated_rows_are_reported_by_key()
    {
        var hasher = new RowHasher(Columns, [0]);
        var (keys, diffs) = Finder(hasher,
            [[1L, "a", null], [2L, "b", null], [3L, "c", null]],
            [[1L, "a", null], [3L, "c", null], [3L, "c", null], [4L, "d", null]]).Compare(10);
        Assert.Equal(3, keys);
        Assert.Equal(
            [("id=2", "1 row", "no row"), ("id=3", "1 row", "2 rows"), ("id=4", "no row", "1 row")],
            diffs.Select(d => (d.Key, d.SourceValue, d.TargetValue)).ToList());
        Assert.All(diffs, d => Assert.Null(d.Column));
    }

    [Fact]
    public void Null_versus_empty_text_is_a_difference()
    {
        var hasher = new RowHasher(Columns, [0]);
        var (_, diffs) = Finder(hasher, [[7L, null, null]], [[7L, "", null]]).Compare(10);
        var d = Assert.Single(diffs);
        Assert.Equal(("name", "NULL", "''"), (d.Column, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void Differences_are_capped_but_every_differing_key_is_counted()
    {
        var hasher = new RowHasher(Columns, [0]);
        var source = Enumerable.Range(1, 50).Select(i => new object?[] { (long)i, "x", null }).ToList();
        var target = Enumerable.Range(1, 50).Select(i => new object?[] { (long)i, "y", null }).ToList();
        var (keys, diffs) = Finder(hasher, source, target).Compare(5);
        Assert.Equal(50, keys);
        Assert.Equal(5, diffs.Count);
    }

    [Fact]
    public void A_keyless_table_reports_a_changed_row_as_one_missing_and_one_extra()
    {
        var hasher = new RowHasher(Columns, []);
        Assert.True(hasher.IsKeyless);
        var (keys, diffs) = Finder(hasher, [[1L, "a", null]], [[1L, "b", null]]).Compare(10);
        Assert.Equal(2, keys);
        Assert.Equal(["1 row", "no row"], diffs.Select(d => d.SourceValue));
        Assert.StartsWith("id=1, name=a", diffs[0].Key, StringComparison.Ordinal);
    }
}
