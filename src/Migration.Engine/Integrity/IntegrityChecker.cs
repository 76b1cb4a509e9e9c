using Microsoft.Data.Sqlite;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Npgsql;

namespace Migration.Engine.Integrity;

/// <summary>
/// Proves a migration arrived intact: compares Postgres tables with their copies in a SQLite / D1
/// file under the same mapping the migration used, and returns one <see cref="IntegrityResult"/>
/// per (table, check). A failing check is a result; a check that cannot run (missing table or
/// column, database error) is an <see cref="IntegrityCheckException"/>, thrown, or passed to the
/// error callback so the other checks go on. The source is read from one snapshot (one
/// <see cref="PgExporter"/>) and streamed; the target file is only read.
/// </summary>
public sealed class IntegrityChecker
{
    const IntegrityCheck ContentChecks = IntegrityCheck.RowCount | IntegrityCheck.Checksum | IntegrityCheck.Sample;
    const IntegrityCheck ColumnChecks = IntegrityCheck.Json | IntegrityCheck.Domain | IntegrityCheck.Unique;

    readonly PgConnectionSettings _settings;
    readonly string _path;
    readonly IntegrityOptions _options;
    /// <summary>A remote D1 target, read into a <see cref="RemoteD1Mirror"/> before the checks; null for a file.</summary>
    readonly Cloudflare.D1DatabaseClient? _remote;
    /// <summary>How messages name the target: the file's name, or the remote's location.</summary>
    readonly string _targetName;
    /// <summary>Receives the remote read's progress lines.</summary>
    public event Action<string>? Log;

    public IntegrityChecker(PgConnectionSettings settings, string sqlitePath, IntegrityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(sqlitePath);
        _settings = settings;
        _path = Path.GetFullPath(sqlitePath);
        _targetName = Path.GetFileName(_path);
        _options = options ?? new IntegrityOptions();
        CheckOptions(_options);
    }

    /// <summary>Checks against a remote D1 (<paramref name="location"/> names it in messages, e.g. <c>d1://name/uuid</c>).</summary>
    public IntegrityChecker(PgConnectionSettings settings, Cloudflare.D1DatabaseClient remote, string location, IntegrityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentException.ThrowIfNullOrEmpty(location);
        _settings = settings;
        _remote = remote;
        _path = location;
        _targetName = location;
        _options = options ?? new IntegrityOptions();
        CheckOptions(_options);
    }

    static void CheckOptions(IntegrityOptions options)
    {
        if (options.SampleSize < 0) throw new ArgumentOutOfRangeException(nameof(options), "SampleSize must not be negative.");
        if (options.MaxDifferences < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxDifferences must not be negative.");
        if (options.ChecksumBuckets < 1) throw new ArgumentOutOfRangeException(nameof(options), "ChecksumBuckets must be at least 1.");
    }

    public IntegrityOptions Options => _options;

    /// <summary>
    /// Checks the named source tables (as Export-PgTable names them). Results come table by table,
    /// in the order of <see cref="IntegrityCheck"/> within a table.
    /// </summary>
    /// <param name="onError">Receives each check that could not run; without it the first such check throws.</param>
    public IEnumerable<IntegrityResult> Run(IEnumerable<string> tables, Action<IntegrityCheckException>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var names = tables.ToList();
        if (names.Count == 0) throw new ArgumentException("Name at least one table to check.", nameof(tables));
        if (_remote is null && !File.Exists(_path)) throw new FileNotFoundException($"The target database {_path} does not exist.", _path);
        return RunCore(names, onError ?? (e => throw e));
    }

    IEnumerable<IntegrityResult> RunCore(List<string> names, Action<IntegrityCheckException> onError)
    {
        using var exporter = new PgExporter(_settings);
        using var pg = new CatalogConnection(_settings);
        var converter = new RowConverter(_options.Conversion);
        IEnumerable<TableSchema> sources = exporter.Describe(names);
        RemoteD1Mirror? mirror = null;
        if (_remote is not null)
        {
            // The remote tables the checks will read, under the same mapping (a table that cannot be mapped is reported by its check).
            var list = sources.ToList();
            var targets = new List<string>();
            foreach (var s in list)
            {
                try { targets.Add(converter.TargetSchemaFor(s).Name); }
                catch (Exception ex) when (IsOperational(ex)) { }
            }
            mirror = RemoteD1Mirror.Create(_remote, targets, Log);
            sources = list;
        }
        using var owned = mirror;
        using var db = OpenTarget(mirror?.Path ?? _path);
        var catalog = new TargetCatalog(db);
        foreach (var source in sources)
            foreach (var result in CheckTable(source, exporter, converter, db, catalog, pg, onError))
                yield return result;
    }

    IEnumerable<IntegrityResult> CheckTable(TableSchema source, PgExporter exporter, RowConverter converter,
        SqliteConnection db, TargetCatalog catalog, CatalogConnection pg, Action<IntegrityCheckException> onError)
    {
        var checks = _options.Checks;
        var results = new List<IntegrityResult>();
        TableSchema target;
        try { target = converter.TargetSchemaFor(source); }
        catch (Exception ex) when (IsOperational(ex))
        {
            Fail(source.SourceDisplayName, checks, "cannot map the table: " + Message(ex), ex);
            return results;
        }

        var name = target.Name;
        var actual = catalog.FindTable(name);
        if (actual is null)
        {
            if (checks.HasFlag(IntegrityCheck.Schema)) results.Add(SchemaCheck.MissingTable(name, _targetName));
            Fail(name, checks & ~IntegrityCheck.Schema, $"table {name} does not exist in {_targetName}", null);
            return results;
        }

        var ctx = new TableCheckContext(source, target, actual, db, _options,
            () => SourceCatalog.Indexes(pg.Value, source),
            () => SourceCatalog.EnumLabels(pg.Value, source));
        var present = new HashSet<string>(catalog.Columns(actual), StringComparer.OrdinalIgnoreCase);
        var missing = target.Columns.Select(c => c.Name).Where(c => !present.Contains(c)).ToList();
        var missingText = missing.Count == 0 ? null : $"column(s) {string.Join(", ", missing)} missing in target table {actual}";

        Guard(IntegrityCheck.Schema, () => [SchemaCheck.Run(ctx, catalog)]);

        var content = checks & ContentChecks;
        if (missingText is not null && (content & ~IntegrityCheck.RowCount) != 0)
        {
            Fail(actual, content & ~IntegrityCheck.RowCount, missingText, null);
            content &= IntegrityCheck.RowCount;
        }
        if (content != 0)
            Guard(content, () => new ContentComparison(actual, [.. target.Columns.Select(c => c.Name)], target.PrimaryKey,
                () => Converted(exporter, converter, source), () => CountSource(pg.Value, source),
                db, actual, _options).Run(content));

        Guard(IntegrityCheck.ForeignKeys, () => [ForeignKeyCheck.Run(ctx, catalog)]);

        if (missingText is not null && (checks & ColumnChecks) != 0)
        {
            Fail(actual, checks & ColumnChecks, missingText, null);
            return results;
        }
        Guard(IntegrityCheck.Json, () => [JsonCheck.Run(ctx)]);
        Guard(IntegrityCheck.Domain, () => [DomainCheck.Run(ctx)]);
        Guard(IntegrityCheck.Unique, () => [UniqueCheck.Run(ctx)]);
        return results;

        void Guard(IntegrityCheck check, Func<IReadOnlyList<IntegrityResult>> run)
        {
            if ((checks & check) == 0) return;
            try { results.AddRange(run()); }
            catch (Exception ex) when (IsOperational(ex)) { Fail(actual, check, Message(ex), ex); }
        }

        void Fail(string table, IntegrityCheck failed, string reason, Exception? inner)
        {
            if (failed == IntegrityCheck.None) return;
            onError(new IntegrityCheckException(table, failed, reason, inner is null ? null : _settings.SafeInner(inner)));
        }
    }

    /// <summary>The source rows converted as the migration converts them; a row that cannot be converted is carried as its error.</summary>
    static IEnumerable<ConvertedRow> Converted(PgExporter exporter, RowConverter converter, TableSchema source)
    {
        foreach (var row in exporter.Export(source))
            yield return Convert(converter, row);
    }

    static ConvertedRow Convert(RowConverter converter, Row row)
    {
        try { return new ConvertedRow(converter.Convert(row).GetValues(), null); }
        catch (ConversionException ex) { return new ConvertedRow(null, ex); }
    }

    /// <summary>count(*) for RowCount alone, so it costs no table read.</summary>
    static long CountSource(NpgsqlConnection db, TableSchema source)
    {
        using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {SourceCatalog.QualifiedName(source)}", db);
        return (long)cmd.ExecuteScalar()!;
    }

    static SqliteConnection OpenTarget(string path)
    {
        // ReadWrite without Create: a missing file is an error, never a new empty database.
        // query_only makes certain the checks change nothing in the target.
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA query_only = 1";
        cmd.ExecuteNonQuery();
        return db;
    }

    string Message(Exception ex) => _settings.Redact(ex.Message);

    /// <summary>Database and mapping failures are reported per check; programming errors are not caught.</summary>
    static bool IsOperational(Exception ex) =>
        ex is SqliteException or Cloudflare.D1SqlException or NpgsqlException or PgSourceException or MappingException or ConversionException or IntegrityCheckException
            or InvalidOperationException or ArgumentException or IOException;

    /// <summary>
    /// A second connection for catalog facts (indexes, enum labels) and for count(*) when only
    /// RowCount runs; opened on first use, in one read-only repeatable-read transaction so every
    /// count comes from one snapshot.
    /// </summary>
    sealed class CatalogConnection(PgConnectionSettings settings) : IDisposable
    {
        NpgsqlConnection? _db;

        public NpgsqlConnection Value
        {
            get
            {
                if (_db is not null) return _db;
                var db = settings.OpenConnection();
                using var cmd = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", db);
                cmd.ExecuteNonQuery();
                return _db = db;
            }
        }

        public void Dispose() => _db?.Dispose();
    }
}
