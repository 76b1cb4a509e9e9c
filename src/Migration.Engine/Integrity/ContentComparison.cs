using Migration.Engine.Schema;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Migration.Engine.Integrity;

/// <summary>
/// RowCount, Checksum and Sample for one table, from one read of each side: the source rows
/// (converted exactly as the migration converts them) and the target table stream through a
/// <see cref="TableDigest"/> each, and a reservoir keeps the random sample on the way. Only when
/// the digests differ does a second read of both sides look inside the differing buckets
/// (<see cref="DifferenceFinder"/>) to name keys, columns and values.
/// </summary>
sealed class ContentComparison
{
    readonly string _table;
    readonly IReadOnlyList<string> _columns;
    readonly IReadOnlyList<int> _key;
    readonly Func<IEnumerable<ConvertedRow>> _source;
    readonly Func<long> _countSource;
    readonly SqliteConnection _target;
    readonly string _targetTable;
    readonly IntegrityOptions _options;

    /// <param name="table">The target table's name, for results.</param>
    /// <param name="columns">The target columns, in the order the converted values hold them.</param>
    /// <param name="key">Ordinals of the key columns; empty when the table has no key.</param>
    /// <param name="source">Reads the source from the start each time it is called (same snapshot).</param>
    /// <param name="countSource">Counts the source rows (used when only RowCount runs).</param>
    public ContentComparison(string table, IReadOnlyList<string> columns, IReadOnlyList<int> key,
        Func<IEnumerable<ConvertedRow>> source, Func<long> countSource,
        SqliteConnection target, string targetTable, IntegrityOptions options)
    {
        _table = table;
        _columns = columns;
        _key = key;
        _source = source;
        _countSource = countSource;
        _target = target;
        _targetTable = targetTable;
        _options = options;
    }

    public IReadOnlyList<IntegrityResult> Run(IntegrityCheck checks)
    {
        var wantCount = checks.HasFlag(IntegrityCheck.RowCount);
        var wantSum = checks.HasFlag(IntegrityCheck.Checksum);
        var wantSample = checks.HasFlag(IntegrityCheck.Sample) && _options.SampleSize > 0;
        var results = new List<IntegrityResult>();

        if (!wantSum && !wantSample)
        {
            if (wantCount) results.Add(RowCountResult(_countSource(), CountTarget()));
            return results;
        }

        var hasher = new RowHasher(_columns, _key);
        // The two sides share nothing until they are compared: the target is read and hashed on
        // another thread (its own hasher: a RowHasher reuses buffers) while the source streams
        // here, so the pass costs about the slower side's read, not the sum of both.
        var targetTask = wantSum ? Task.Run(DigestTarget) : null;
        try
        {
            return Compare(checks, wantCount, wantSum, wantSample, hasher, targetTask, results);
        }
        finally
        {
            // Never leave the target connection in use by a reader after an error here.
            if (targetTask is not null) try { targetTask.Wait(); } catch (AggregateException) { /* reported by Compare, or superseded by its error */ }
        }
    }

    TableDigest DigestTarget()
    {
        var hasher = new RowHasher(_columns, _key);
        var digest = new TableDigest(_options.ChecksumBuckets);
        using var reader = new TargetTableReader(_target, _targetTable, _columns);
        while (reader.Read())
        {
            var (k, r) = hasher.Hash(reader);
            digest.Add(k, r);
        }
        return digest;
    }

    IReadOnlyList<IntegrityResult> Compare(IntegrityCheck checks, bool wantCount, bool wantSum, bool wantSample, RowHasher hasher,
        Task<TableDigest>? targetTask, List<IntegrityResult> results)
    {
        var sourceDigest = new TableDigest(_options.ChecksumBuckets);
        var failures = new List<IntegrityDifference>();
        long sourceRows = 0, failed = 0, seen = 0;
        var sample = new List<object?[]>();
        var random = _options.SampleSeed is { } seed ? new Random(seed) : new Random();

        foreach (var row in _source())
        {
            sourceRows++;
            if (row.Values is not { } values)
            {
                failed++;
                var f = row.Failure!;
                if (failures.Count < _options.MaxDifferences)
                    failures.Add(new IntegrityDifference(f.Key, f.Column, f.ValueExcerpt, "not migrated: " + f.Reason));
                continue;
            }
            if (wantSum)
            {
                var (k, r) = hasher.Hash(values);
                sourceDigest.Add(k, r);
            }
            if (wantSample)
            {
                // Reservoir sampling (Algorithm R): a uniform sample in one pass and fixed memory.
                seen++;
                if (sample.Count < _options.SampleSize) sample.Add((object?[])values.Clone());
                else if (random.NextInt64(seen) is var j && j < _options.SampleSize) sample[(int)j] = (object?[])values.Clone();
            }
        }

        long targetRows;
        TableDigest? targetDigest = null;
        if (targetTask is not null)
        {
            targetDigest = targetTask.GetAwaiter().GetResult();
            targetRows = targetDigest.Rows;
        }
        else
        {
            targetRows = CountTarget();
        }

        if (wantCount) results.Add(RowCountResult(sourceRows, targetRows));
        if (wantSum) results.Add(ChecksumResult(hasher, sourceDigest, targetDigest!, failed, failures));
        if (wantSample) results.Add(SampleResult(hasher, sample));
        else if (checks.HasFlag(IntegrityCheck.Sample))
            results.Add(new IntegrityResult(_table, IntegrityCheck.Sample, true, "0 rows", "0 rows", "SampleSize is 0: nothing sampled"));
        return results;
    }

    long CountTarget()
    {
        using var cmd = _target.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {SqlQuote.Identifier(_targetTable)}";
        return (long)cmd.ExecuteScalar()!;
    }

    IntegrityResult RowCountResult(long source, long target)
    {
        var details = source == target
            ? Invariant($"{source} rows on both sides")
            : source > target
                ? Invariant($"{source - target} rows fewer in the target")
                : Invariant($"{target - source} rows more in the target");
        return new IntegrityResult(_table, IntegrityCheck.RowCount, source == target,
            source.ToString(CultureInfo.InvariantCulture), target.ToString(CultureInfo.InvariantCulture), details);
    }

    IntegrityResult ChecksumResult(RowHasher hasher, TableDigest source, TableDigest target, long failed, List<IntegrityDifference> failures)
    {
        var expected = ContentHash.ToHex(source.Total);
        var actual = ContentHash.ToHex(target.Total);
        var buckets = source.DifferingBuckets(target);
        if (buckets.Count == 0 && failed == 0)
            return new IntegrityResult(_table, IntegrityCheck.Checksum, true, expected, actual,
                Invariant($"content equal ({source.Rows} rows)"));

        var differences = new List<IntegrityDifference>(failures);
        var parts = new List<string>();
        if (failed > 0)
            parts.Add(Invariant($"{failed} source rows cannot be converted"));
        if (buckets.Count > 0)
        {
            // Each differing bucket holds at least one differing key: MaxDifferences buckets
            // are enough to name MaxDifferences differences, and keep the second pass small.
            var chosen = buckets.Take(Math.Max(1, _options.MaxDifferences)).ToList();
            var (keys, found) = Narrow(hasher, chosen, _options.MaxDifferences - differences.Count);
            differences.AddRange(found);
            parts.Add(chosen.Count == buckets.Count
                ? Invariant($"{keys} keys differ")
                : Invariant($"at least {keys} keys differ ({buckets.Count} of {source.BucketCount} hash buckets differ, {chosen.Count} examined)"));
        }
        return new IntegrityResult(_table, IntegrityCheck.Checksum, false, expected, actual,
            "content differs: " + string.Join("; ", parts), differences);
    }

    (long Keys, IReadOnlyList<IntegrityDifference> Differences) Narrow(RowHasher hasher, IReadOnlyList<int> buckets, int max)
    {
        var finder = new DifferenceFinder(buckets, _options.ChecksumBuckets, _columns);
        foreach (var row in _source())
        {
            if (row.Values is not { } values) continue;
            var (k, r) = hasher.Hash(values);
            if (finder.Wants(k)) finder.AddSource(k, r, hasher.DescribeKey(values), (object?[])values.Clone());
        }
        using (var reader = new TargetTableReader(_target, _targetTable, _columns))
        {
            while (reader.Read())
            {
                var (k, r) = hasher.Hash(reader);
                if (!finder.Wants(k)) continue;
                var values = reader.GetValues();
                finder.AddTarget(k, r, hasher.DescribeKey(values), values);
            }
        }
        return finder.Compare(Math.Max(0, max));
    }

    IntegrityResult SampleResult(RowHasher hasher, List<object?[]> sample)
    {
        var differences = new List<IntegrityDifference>();
        var differing = 0;
        using var cmd = _target.CreateCommand();
        var where = string.Join(" AND ", hasher.KeyOrdinals.Select(k =>
            $"{SqlQuote.Identifier(_columns[k])} {(hasher.IsKeyless ? "IS" : "=")} $k{k.ToString(CultureInfo.InvariantCulture)}"));
        cmd.CommandText = $"SELECT {SqlQuote.Identifiers(_columns)} FROM {SqlQuote.Identifier(_targetTable)} WHERE {where} LIMIT 2";
        var parameters = hasher.KeyOrdinals.ToDictionary(k => k, k => cmd.Parameters.Add(new SqliteParameter("$k" + k.ToString(CultureInfo.InvariantCulture), null)));
        cmd.Prepare();

        foreach (var src in sample)
        {
            foreach (var (k, p) in parameters) p.Value = src[k] ?? DBNull.Value;
            var key = hasher.DescribeKey(src);
            using var reader = cmd.ExecuteReader();
            if (!reader.Read())
            {
                differing++;
                Add(new IntegrityDifference(key, null, "1 row", "no row"));
                continue;
            }
            var same = true;
            for (var i = 0; i < _columns.Count; i++)
            {
                var tgt = reader.IsDBNull(i) ? null : reader.GetValue(i);
                if (D1Value.Same(src[i], tgt)) continue;
                same = false;
                Add(new IntegrityDifference(key, _columns[i], D1Value.Excerpt(src[i]), D1Value.Excerpt(tgt)));
            }
            if (reader.Read())
            {
                same = false;
                Add(new IntegrityDifference(key, null, "1 row", "2 or more rows"));
            }
            if (!same) differing++;
        }

        var n = sample.Count;
        return new IntegrityResult(_table, IntegrityCheck.Sample, differing == 0,
            Invariant($"{n} rows equal"), Invariant($"{n - differing} rows equal"),
            differing == 0 ? Invariant($"{n} random rows equal field by field") : Invariant($"{differing} of {n} random rows differ"),
            differences);

        void Add(IntegrityDifference d)
        {
            if (differences.Count < _options.MaxDifferences) differences.Add(d);
        }
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
