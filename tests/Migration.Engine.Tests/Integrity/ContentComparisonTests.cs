using Migration.Engine.Integrity;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

/// <summary>
/// RowCount, Checksum and Sample against a real SQLite table, with the source side given as
/// converted values (what the converter hands the target), so no Postgres is needed here.
/// </summary>
public sealed class ContentComparisonTests : IDisposable
{
    static readonly string[] Columns = ["id", "name", "amount", "at"];
    readonly TempSqlite _db = new();

    public ContentComparisonTests() =>
        _db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount REAL, at TEXT)");

    public void Dispose() => _db.Dispose();

    static List<object?[]> SourceRows(int n) =>
        [.. Enumerable.Range(1, n).Select(i => new object?[]
        {
            (long)i, i % 7 == 0 ? null : "name " + i, i / 3.0, $"2024-01-01T{i % 24:D2}:00:00.000000Z",
        })];

    IReadOnlyList<IntegrityResult> Compare(List<object?[]> source, IntegrityCheck checks, int max = 10, int buckets = 4096,
        IReadOnlyList<int>? key = null, string table = "t", string[]? columns = null) =>
        new ContentComparison(table, columns ?? Columns, key ?? [0],
            () => source.Select(v => new ConvertedRow(v, null)), () => source.Count,
            _db.Connection, table, new IntegrityOptions { MaxDifferences = max, ChecksumBuckets = buckets, SampleSeed = 1, SampleSize = 1000 })
        .Run(checks);

    [Fact]
    public void An_exact_copy_passes_all_three()
    {
        var rows = SourceRows(500);
        _db.Insert("t", rows);
        var results = Compare(rows, IntegrityCheck.RowCount | IntegrityCheck.Checksum | IntegrityCheck.Sample);
        Assert.Equal([IntegrityCheck.RowCount, IntegrityCheck.Checksum, IntegrityCheck.Sample], results.Select(r => r.Kind));
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        Assert.Equal("500", results[0].Expected);
        Assert.Equal(results[1].Expected, results[1].Actual);
    }

    [Fact]
    public void A_rounded_real_is_found_and_named_after_narrowing()
    {
        var rows = SourceRows(20_000);
        _db.Insert("t", rows);
        _db.Exec("UPDATE t SET amount = round(amount, 2) WHERE id = 12346");
        var results = Compare(rows, IntegrityCheck.RowCount | IntegrityCheck.Checksum, buckets: 256);
        Assert.True(results[0].Passed);
        var sum = results[1];
        Assert.False(sum.Passed);
        Assert.Equal("content differs: 1 keys differ", sum.Details);
        var d = Assert.Single(sum.Differences);
        Assert.Equal(("id=12346", "amount", "4115.333333333333", "4115.33"), (d.Key, d.Column, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void Null_turned_into_empty_text_fails_checksum_and_sample()
    {
        var rows = SourceRows(50);
        _db.Insert("t", rows);
        _db.Exec("UPDATE t SET name = '' WHERE id = 14");
        var results = Compare(rows, IntegrityCheck.Checksum | IntegrityCheck.Sample);
        foreach (var r in results)
        {
            Assert.False(r.Passed);
            var d = Assert.Single(r.Differences);
            Assert.Equal(("id=14", "name", "NULL", "''"), (d.Key, d.Column, d.SourceValue, d.TargetValue));
        }
    }

    [Fact]
    public void Text_1_instead_of_integer_1_is_a_difference()
    {
        var rows = SourceRows(5);
        _db.Exec("CREATE TABLE loose (id, name, amount, at)");  // no affinity: values keep their class
        _db.Insert("loose", rows.Select((r, i) => i == 2 ? new object?[] { "3", r[1], r[2], r[3] } : r));
        var result = Compare(rows, IntegrityCheck.Checksum, table: "loose").Single();
        Assert.False(result.Passed);
        Assert.Equal([("1 row", "no row"), ("no row", "1 row")], result.Differences.Select(d => (d.SourceValue, d.TargetValue)));
        Assert.Equal("id=3", result.Differences[0].Key);
    }

    [Fact]
    public void Deleted_and_extra_rows_are_counted_and_named()
    {
        var rows = SourceRows(300);
        _db.Insert("t", rows);
        _db.Exec("DELETE FROM t WHERE id = 77");
        _db.Exec("INSERT INTO t VALUES (9999, 'extra', 1.0, NULL)");
        var results = Compare(rows, IntegrityCheck.RowCount | IntegrityCheck.Checksum);
        Assert.True(results[0].Passed);  // one lost, one extra: the count alone cannot see it
        Assert.False(results[1].Passed);
        Assert.Equal(
            [("id=77", "1 row", "no row"), ("id=9999", "no row", "1 row")],
            results[1].Differences.Select(d => (d.Key, d.SourceValue, d.TargetValue)).ToList());
    }

    [Fact]
    public void A_duplicate_in_a_table_without_a_key_is_found()
    {
        var rows = SourceRows(40);
        _db.Exec("CREATE TABLE nokey (id INTEGER, name TEXT, amount REAL, at TEXT)");
        _db.Insert("nokey", rows);
        _db.Exec("INSERT INTO nokey SELECT * FROM nokey WHERE id = 8");
        var results = Compare(rows, IntegrityCheck.RowCount | IntegrityCheck.Checksum, key: [0], table: "nokey");
        Assert.Equal(("40", "41", false), (results[0].Expected, results[0].Actual, results[0].Passed));
        var d = Assert.Single(results[1].Differences);
        Assert.Equal(("id=8", "1 row", "2 rows"), (d.Key, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void Many_differences_are_capped_at_max_and_the_details_say_how_many_buckets_differ()
    {
        var rows = SourceRows(2000);
        _db.Insert("t", rows);
        _db.Exec("UPDATE t SET at = replace(at, 'T', ' ')");
        var sum = Compare(rows, IntegrityCheck.Checksum, max: 3, buckets: 64).Single();
        Assert.False(sum.Passed);
        Assert.Equal(3, sum.Differences.Count);
        Assert.All(sum.Differences, d => Assert.Equal("at", d.Column));
        Assert.Contains("64 of 64 hash buckets differ, 3 examined", sum.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_names_a_missing_row_and_a_changed_field()
    {
        var rows = SourceRows(20);
        _db.Insert("t", rows);
        _db.Exec("DELETE FROM t WHERE id = 5");
        _db.Exec("UPDATE t SET at = '2024-01-01T10:00:00.000000Z' WHERE id = 11");  // was 11:00
        var sample = Compare(rows, IntegrityCheck.Sample).Single();
        Assert.False(sample.Passed);
        Assert.Equal("18 rows equal", sample.Actual);
        Assert.Contains(sample.Differences, d => d is { Key: "id=5", Column: null, TargetValue: "no row" });
        Assert.Contains(sample.Differences, d => d is { Key: "id=11", Column: "at", SourceValue: "'2024-01-01T11:00:00.000000Z'" });
    }

    [Fact]
    public void Rows_that_cannot_be_converted_fail_the_checksum_with_their_reason()
    {
        var rows = SourceRows(10);
        _db.Insert("t", rows.Where(r => (long)r[0]! != 4));
        var failure = new Migration.Engine.Convert.ConversionException("t", "id=4", "amount", "NaN", "NaN cannot be stored as REAL");
        var sum = new ContentComparison("t", Columns, [0],
            () => rows.Select(v => (long)v[0]! == 4 ? new ConvertedRow(null, failure) : new ConvertedRow(v, null)), () => rows.Count,
            _db.Connection, "t", new IntegrityOptions()).Run(IntegrityCheck.Checksum).Single();
        Assert.False(sum.Passed);
        Assert.Equal("content differs: 1 source rows cannot be converted", sum.Details);
        var d = Assert.Single(sum.Differences);
        Assert.Equal(("id=4", "amount"), (d.Key, d.Column));
    }
}
