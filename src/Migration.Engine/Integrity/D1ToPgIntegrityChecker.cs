using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Source.Sqlite;
using Migration.Engine.Target.Postgres;
using Npgsql;

namespace Migration.Engine.Integrity;

/// <summary>
/// Test-MigrationIntegrity for the D1 -> PostgreSQL direction, from any <see cref="D1Source"/> (a
/// file, or a remote D1 read in keyset pages): every D1 row is converted again
/// under the migration's mapping (<see cref="PgRowConverter"/>), its ids mapped through the run's
/// id map, and compared, by the Postgres table's key, with the row Postgres holds, on the columns
/// that D1 table writes. Both sides are brought to one canonical form (the PostgreSQL -> D1
/// converter's values, hashed as the other direction's checksum hashes them), so a difference is
/// narrowed down to the key and the column. Rows the run quarantined (orphans skipped, refused
/// rows) and rows that cannot be converted are accounted for and named, not counted as missing.
/// </summary>
/// <remarks>
/// Checks: RowCount (per Postgres table: the keys the D1 tables should have put there, and the
/// rows there), Checksum (per D1 table: missing, extra and different rows), ForeignKeys (rows
/// whose foreign key has no parent, e.g. under a NOT VALID key), Unique (duplicate primary and
/// unique keys) and, under Domain, id-map coverage (every non-UUID id the D1 tables hold in a uuid
/// key column is mapped, and every mapped id is in its table). One D1 table's hashes are held in
/// memory at a time (a key and 16 bytes per row).
/// </remarks>
public sealed class D1ToPgIntegrityChecker(Func<D1Source> openSource, PgConnectionSettings settings, PgConversionOptions? options, IntegrityOptions integrity, string? journalSchema = null)
{
    readonly PgJournal _journal = new(journalSchema);

    /// <summary>The check of a migration from a D1 file.</summary>
    public D1ToPgIntegrityChecker(string d1Path, PgConnectionSettings settings, PgConversionOptions? options, IntegrityOptions integrity, string? journalSchema = null)
        : this(() => new SqliteFileSource(d1Path), settings, options, integrity, journalSchema)
    {
    }

    /// <summary>
    /// The mapping the newest completed run recorded (D1 table -> Postgres table, each D1 column ->
    /// Postgres column; D1 columns it did not write are left out, computed columns are not
    /// compared): what the check uses when no mapping is given. Null when the journal has none.
    /// </summary>
    public (PgConversionOptions Options, IReadOnlyList<string> Tables)? MappingFromJournal()
    {
        using var connection = settings.OpenConnection();
        var mappings = _journal.ReadMappings(connection);
        if (mappings.Count == 0) return null;
        using var source = openSource();
        var tableMap = new Dictionary<string, string>(StringComparer.Ordinal);
        var columnMap = new Dictionary<string, string>(StringComparer.Ordinal);
        var exclude = new List<string>();
        foreach (var (src, target, columns) in mappings)
        {
            tableMap[src] = target;
            foreach (var (d1, pg) in columns) columnMap[src + "." + d1] = pg;
            foreach (var c in source.Describe([src])[0].Columns)
                if (!columns.Any(p => p.D1 == c.Name)) exclude.Add(src + "." + c.Name);
        }
        return (new PgConversionOptions { TableMap = tableMap, ColumnMap = columnMap, Exclude = exclude, Settings = options?.Settings ?? Convert.D1ToPg.D1ToPgSettings.Default },
            [.. mappings.Select(m => m.Source)]);
    }

    public IEnumerable<IntegrityResult> Check(IReadOnlyList<string>? tables)
    {
        IReadOnlyList<TableSchema> catalog;
        using (var exporter = new PgExporter(settings))
            catalog = [.. exporter.DescribeAll(PgTableSelection.All, out _).Where(t => t.SourceSchema != _journal.Schema)];
        if (options is null)
        {
            var recorded = MappingFromJournal() ?? throw new InvalidOperationException($"{settings.Describe()} has no completed D1 -> PostgreSQL run in its journal to take the mapping from: give the mapping parameters the migration used (-TableMap, -ColumnMap, -ColumnNaming ...).");
            options = recorded.Options;
            if (tables is null or { Count: 0 }) tables = recorded.Tables;
        }
        var converter = new PgRowConverter(options, catalog);
        var canonical = new RowConverter(new ConversionOptions { NonFinite = NonFiniteMode.Text });
        var ids = new IdMap();
        var quarantined = new HashSet<(string Source, string Key)>();
        long? runId = null;
        using (var connection = settings.OpenConnection())
        {
            if (_journal.Exists(connection))
            {
                _journal.LoadIdMap(connection, ids);
                using var run = new NpgsqlCommand($"SELECT max(run_id) FROM {_journal.Runs} WHERE status IN ('Completed', 'CompletedWithRefusedTables')", connection);
                runId = run.ExecuteScalar() as long?;
                if (runId is not null)
                {
                    using var q = new NpgsqlCommand($"SELECT coalesce(source_table, target_table), row_key FROM {_journal.Quarantine} WHERE run_id = $1", connection);
                    q.Parameters.AddWithValue(runId.Value);
                    using var r = q.ExecuteReader();
                    while (r.Read()) quarantined.Add((r.GetString(0), r.GetString(1)));
                    if (tables is null or { Count: 0 })
                    {
                        r.Close();
                        using var t = new NpgsqlCommand($"SELECT source_table FROM {_journal.Batches} WHERE run_id = $1 GROUP BY source_table ORDER BY min(committed_at)", connection);
                        t.Parameters.AddWithValue(runId.Value);
                        using var tr = t.ExecuteReader();
                        var list = new List<string>();
                        while (tr.Read()) list.Add(tr.GetString(0));
                        tables = list;
                    }
                }
            }
        }

        using var source = openSource();
        var sources = source.Describe(tables is { Count: > 0 } ? tables : source.TableNames());
        var expectedKeys = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var results = new List<IntegrityResult>();
        foreach (var s in sources)
        {
            var target = converter.TargetSchemaFor(s);
            var table = converter.TargetTableFor(s);
            if (!expectedKeys.TryGetValue(target.Name, out var keys)) expectedKeys[target.Name] = keys = new HashSet<string>(StringComparer.Ordinal);
            results.AddRange(CompareTable(source, s, target, table, converter, canonical, ids, quarantined, keys));
        }
        var checks = integrity.Checks;
        foreach (var (name, keys) in expectedKeys)
        {
            var table = catalog.First(t => t.Name == name);
            using var connection = settings.OpenConnection();
            if (checks.HasFlag(IntegrityCheck.RowCount))
            {
                var actual = Scalar(connection, $"SELECT count(*) FROM {SqlQuote.Qualified(table.SourceSchema, table.SourceTable)}");
                results.Add(new IntegrityResult(name, IntegrityCheck.RowCount, actual == keys.Count, keys.Count.ToString(CultureInfo.InvariantCulture),
                    actual.ToString(CultureInfo.InvariantCulture), $"{keys.Count} rows expected from the D1 tables (quarantined and refused rows left out), {actual} in Postgres"));
            }
            if (checks.HasFlag(IntegrityCheck.ForeignKeys)) results.Add(ForeignKeys(connection, table));
            if (checks.HasFlag(IntegrityCheck.Unique)) results.Add(Unique(connection, table));
        }
        return [.. results.Where(r => checks.HasFlag(r.Kind))];
    }

    IEnumerable<IntegrityResult> CompareTable(D1Source source, TableSchema s, TableSchema target, TableSchema table, PgRowConverter converter, RowConverter canonical,
        IdMap ids, HashSet<(string, string)> quarantined, HashSet<string> keys)
    {
        var columns = target.Columns.Select(c => c.Name).ToList();
        var key = table.PrimaryKey.Select(k => columns.IndexOf(table.Columns[k].Name)).ToList();
        if (key.Count == 0 || key.Contains(-1)) key = [.. Enumerable.Range(0, columns.Count)];
        var hasher = new RowHasher(columns, key);
        var references = new Dictionary<int, string>();
        foreach (var fk in table.Definition?.ForeignKeys ?? [])
            if (fk.Columns.Count == 1 && columns.IndexOf(fk.Columns[0]) is var o and >= 0)
                references[o] = fk.ParentSchema is null or "public" ? fk.ParentTable : fk.ParentSchema + "." + fk.ParentTable;
        var expected = new Dictionary<string, (UInt128 Hash, object?[] Values, string SourceKey)>(StringComparer.Ordinal);
        var differences = new List<IntegrityDifference>();
        long accounted = 0, refused = 0, nonUuid = 0;
        var unmapped = new List<string>();
        // The id map covers the table's own uuid key (a key that is also a foreign key holds its parent's ids).
        var idColumn = table.PrimaryKey.Count == 1 && table.Columns[table.PrimaryKey[0]].PgType?.Family == PgTypeFamily.Uuid
            && columns.IndexOf(table.Columns[table.PrimaryKey[0]].Name) is var io and >= 0 && !references.ContainsKey(io) ? io : -1;
        foreach (var row in source.Export(s))
        {
            var sourceKey = SourceKeyText(s, row);
            if (quarantined.Contains((s.Name, sourceKey))) { accounted++; continue; }
            Row converted;
            try { converted = converter.Convert(row); }
            catch (ConversionException) { refused++; continue; }
            var values = (object?[])converted.GetValues().Clone();
            var unmappedHere = false;
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] is not string old || target.Columns[i].PgType?.Family != PgTypeFamily.Uuid) continue;
                var owner = references.TryGetValue(i, out var parent) ? parent : target.Name;
                if (i == idColumn) nonUuid++;
                if (ids.TryGet(owner, old, out var id)) { values[i] = id; continue; }
                unmappedHere = true;
                if (i == idColumn) unmapped.Add(old);
                if (differences.Count < integrity.MaxDifferences)
                    differences.Add(new IntegrityDifference(sourceKey, columns[i], old, $"no mapping in {owner}'s id map"));
            }
            if (unmappedHere) { keys.Add(sourceKey); expected[sourceKey] = (default, [], sourceKey); continue; }
            object?[] d1;
            try { d1 = canonical.Convert(new Row(target, values)).GetValues(); }
            catch (ConversionException) { refused++; continue; }
            NormalizeJsonb(target, d1);
            var (_, hash) = hasher.Hash(d1);
            var k = hasher.DescribeKey(d1);
            expected[k] = (hash, d1, sourceKey);
            keys.Add(k);
        }
        long matched = 0, different = 0, extra = 0;
        using (var exporter = new PgExporter(settings))
        {
            var actualSchema = exporter.Describe([SqlQuote.Qualified(table.SourceSchema, table.SourceTable)], columns)[0];
            var merged = false;
            foreach (var row in exporter.Export(actualSchema))
            {
                var d1 = canonical.Convert(row).GetValues();
                var ordered = columns.Select(c => d1[actualSchema.IndexOf(c)]).ToArray();
                NormalizeJsonb(target, ordered);
                var (_, hash) = hasher.Hash(ordered);
                var k = hasher.DescribeKey(ordered);
                if (!expected.Remove(k, out var want))
                {
                    // Rows of the other D1 table of a merge, or rows that were there before: not this D1 table's.
                    merged = true;
                    extra++;
                    continue;
                }
                if (want.Hash == hash) { matched++; continue; }
                different++;
                for (var c = 0; c < columns.Count && differences.Count < integrity.MaxDifferences; c++)
                    if (!Equals(Canonical(want.Values[c]), Canonical(ordered[c])))
                        differences.Add(new IntegrityDifference($"{want.SourceKey} -> {k}", columns[c], ValueExcerpt.Of(want.Values[c]), ValueExcerpt.Of(ordered[c])));
            }
            _ = merged;
        }
        foreach (var (k, missing) in expected.Take(Math.Max(0, integrity.MaxDifferences - differences.Count)))
            differences.Add(new IntegrityDifference($"{missing.SourceKey} -> {k}", null, "the D1 row", "no row in Postgres"));
        var ok = different == 0 && expected.Count == 0;
        var details = $"from D1 {s.Name}: {matched} rows identical, {different} different, {expected.Count} missing in Postgres"
            + (accounted > 0 ? $", {accounted} quarantined by the run (accounted for)" : "")
            + (refused > 0 ? $", {refused} not convertible (refused by ConvertTo-PgRow, accounted for)" : "")
            + (extra > 0 ? $", {extra} other rows in the table (another D1 table of a merge, or rows from before)" : "");
        yield return new IntegrityResult(target.Name, IntegrityCheck.Checksum, ok, (matched + different + expected.Count).ToString(CultureInfo.InvariantCulture),
            matched.ToString(CultureInfo.InvariantCulture), details, differences);
        if (idColumn < 0) yield break;
        var keyName = columns[idColumn];
        long stray;
        using (var connection = settings.OpenConnection())
        using (var cmd = new NpgsqlCommand($"SELECT count(*) FROM {_journal.IdMap} m WHERE m.table_name = $1 AND NOT EXISTS (SELECT 1 FROM {SqlQuote.Qualified(table.SourceSchema, table.SourceTable)} t WHERE t.{SqlQuote.Identifier(keyName)} = m.new_id)", connection))
        {
            cmd.Parameters.AddWithValue(target.Name);
            stray = System.Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        yield return new IntegrityResult(target.Name, IntegrityCheck.Domain, unmapped.Count == 0,
            $"{nonUuid} ids mapped", $"{nonUuid - unmapped.Count} mapped",
            $"id map of {target.Name}.{keyName}: {nonUuid} non-UUID ids among the rows D1 {s.Name} should have written, {unmapped.Count} without a mapping"
            + (unmapped.Count > 0 ? $" ({string.Join(", ", unmapped.Take(5))})" : "") + $"; {stray} mapped ids without their row in {target.Name}",
            [.. unmapped.Take(integrity.MaxDifferences).Select(u => new IntegrityDifference($"{keyName}={u}", keyName, u, "no mapping"))]);
    }

    /// <summary>jsonb is compared by value: the D1 text as written, Postgres' as it prints it.</summary>
    static void NormalizeJsonb(TableSchema target, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            if (values[i] is string json && target.Columns[i].PgType?.Family == PgTypeFamily.Jsonb) values[i] = JsonbCanonical.Of(json);
    }

    static object? Canonical(object? v) => v is byte[] b ? System.Convert.ToHexString(b) : v;

    /// <summary>The D1 row's key as the journal writes it (<c>id=u_1</c>).</summary>
    static string SourceKeyText(TableSchema s, Row row)
    {
        var names = s.HasPrimaryKey ? s.PrimaryKey.Select(k => s.Columns[k].Name).ToList() : ["rowid"];
        var key = row.SourceKey ?? [];
        return string.Join(", ", names.Select((n, i) => n + "=" + ValueExcerpt.Of(i < key.Length ? key[i] : null)));
    }

    IntegrityResult ForeignKeys(NpgsqlConnection connection, TableSchema table)
    {
        long orphans = 0;
        var described = new List<string>();
        foreach (var fk in table.Definition?.ForeignKeys ?? [])
        {
            var child = SqlQuote.Qualified(table.SourceSchema, table.SourceTable);
            var parent = SqlQuote.Qualified(fk.ParentSchema ?? table.SourceSchema, fk.ParentTable);
            var notNull = string.Join(" AND ", fk.Columns.Select(c => $"c.{SqlQuote.Identifier(c)} IS NOT NULL"));
            var join = string.Join(" AND ", fk.Columns.Zip(fk.ParentColumns).Select(p => $"p.{SqlQuote.Identifier(p.Second)} = c.{SqlQuote.Identifier(p.First)}"));
            var n = Scalar(connection, $"SELECT count(*) FROM {child} c WHERE {notNull} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {join})");
            orphans += n;
            described.Add($"{fk.Name}: {n}");
        }
        return new IntegrityResult(table.Name, IntegrityCheck.ForeignKeys, orphans == 0, "0", orphans.ToString(CultureInfo.InvariantCulture),
            described.Count == 0 ? "no foreign keys" : "rows without a parent per foreign key: " + string.Join(", ", described));
    }

    IntegrityResult Unique(NpgsqlConnection connection, TableSchema table)
    {
        var keys = new List<IReadOnlyList<string>>();
        if (table.Definition?.PrimaryKey is { } pk) keys.Add(pk.Columns);
        keys.AddRange((table.Definition?.Uniques ?? []).Select(u => u.Columns));
        long duplicates = 0;
        var described = new List<string>();
        foreach (var cols in keys)
        {
            var list = SqlQuote.Identifiers(cols);
            var n = Scalar(connection, $"SELECT count(*) FROM (SELECT 1 FROM {SqlQuote.Qualified(table.SourceSchema, table.SourceTable)} WHERE ({list}) IS NOT NULL GROUP BY {list} HAVING count(*) > 1) d");
            duplicates += n;
            described.Add($"({string.Join(", ", cols)}): {n}");
        }
        return new IntegrityResult(table.Name, IntegrityCheck.Unique, duplicates == 0, "0", duplicates.ToString(CultureInfo.InvariantCulture),
            keys.Count == 0 ? "no keys" : "duplicated values per key: " + string.Join(", ", described));
    }

    static long Scalar(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        return System.Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
