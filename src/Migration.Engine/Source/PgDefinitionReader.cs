using System.Text.RegularExpressions;
using Migration.Engine.Schema;
using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// Reads a table's full <see cref="TableDefinition"/> from the catalog, inside the exporter's
/// snapshot: column defaults, identity and generated columns, enums and domains, keys, foreign
/// keys, checks, indexes and comments. Expressions are kept as Postgres prints them
/// (<c>pg_get_expr</c>); mapping them to SQLite is the converter's job. What the source has that
/// no D1 table can carry (exclusion constraints, non-btree indexes, ...) becomes a warning here.
/// </summary>
internal sealed partial class PgDefinitionReader
{
    readonly NpgsqlConnection _connection;
    readonly PgCatalogReader _catalog;

    public PgDefinitionReader(NpgsqlConnection connection, PgCatalogReader catalog)
    {
        _connection = connection;
        _catalog = catalog;
    }

    /// <summary>
    /// The definition of relation <paramref name="relOid"/> for the chosen <paramref name="columns"/>
    /// (source names). <paramref name="domainNotNull"/> gets the columns whose domain forbids NULL.
    /// </summary>
    public TableDefinition Read(uint relOid, string table, IReadOnlyList<Column> columns, ISet<string> domainNotNull)
    {
        var warnings = new List<SchemaWarning>();
        var chosen = new HashSet<string>(columns.Select(c => c.SourceName), StringComparer.Ordinal);
        var columnDefinitions = ReadColumns(relOid, columns, chosen, domainNotNull);
        var (primaryKey, uniques, foreignKeys, checks, constraintIndexes) = ReadConstraints(relOid, table, chosen, warnings);
        var indexes = ReadIndexes(relOid, table, constraintIndexes, warnings);
        using var cmd = Command("SELECT pg_catalog.obj_description($1, 'pg_class')", relOid);
        var comment = cmd.ExecuteScalar() as string;
        return new TableDefinition(columnDefinitions, primaryKey, uniques, foreignKeys, checks, indexes, comment, warnings);
    }

    List<ColumnDefinition> ReadColumns(uint relOid, IReadOnlyList<Column> columns, HashSet<string> chosen, ISet<string> domainNotNull)
    {
        var raw = new Dictionary<string, (string? Default, char Identity, char Generated, string? Comment, string[]? Labels, string? Domain, uint TypeOid, string? Collation)>(StringComparer.Ordinal);
        using (var cmd = Command("""
            SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text,
                   pg_catalog.col_description(a.attrelid, a.attnum),
                   CASE WHEN t.typtype = 'e' THEN array(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] END,
                   CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.oid, NULL) END,
                   a.atttypid,
                   CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                        THEN (SELECT c.collname FROM pg_catalog.pg_collation c WHERE c.oid = a.attcollation) END
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
            """, relOid))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var name = r.GetString(0);
                if (!chosen.Contains(name)) continue;
                raw[name] = (r.IsDBNull(1) ? null : r.GetString(1), Char(r.GetString(2)), Char(r.GetString(3)),
                    r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetFieldValue<string[]>(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<uint>(7), r.IsDBNull(8) ? null : r.GetString(8));
            }
        }

        var constants = EvaluateConstantDefaults(columns, raw.ToDictionary(kv => kv.Key, kv => kv.Value.Generated == '\0' ? kv.Value.Default : null, StringComparer.Ordinal));
        var list = new List<ColumnDefinition>(columns.Count);
        foreach (var column in columns)
        {
            var c = raw[column.SourceName];
            IReadOnlyList<CheckDefinition>? domainChecks = null;
            if (c.Domain is not null)
            {
                var (checks, notNull) = DomainConstraints(c.TypeOid);
                domainChecks = checks;
                if (notNull) domainNotNull.Add(column.SourceName);
            }
            var identity = c.Identity switch
            {
                'a' => IdentityKind.Always,
                'd' => IdentityKind.ByDefault,
                _ => c.Default is not null && c.Default.StartsWith("nextval(", StringComparison.Ordinal) ? IdentityKind.Serial : IdentityKind.None,
            };
            var generated = c.Generated == 's' ? c.Default : null;
            var hasConstant = constants.TryGetValue(column.SourceName, out var constant);
            list.Add(new ColumnDefinition(column.SourceName,
                Default: generated is null ? c.Default : null,
                DefaultConstant: constant,
                HasDefaultConstant: hasConstant,
                Identity: identity,
                Generated: generated,
                Comment: c.Comment,
                EnumLabels: c.Labels,
                Domain: c.Domain,
                DomainChecks: domainChecks,
                Collation: c.Collation is null or "default" or "C" or "POSIX" ? null : c.Collation));
        }
        return list;
    }

    static char Char(string s) => s.Length == 0 ? '\0' : s[0];

    /// <summary>
    /// A default that is a literal (with casts) is evaluated once and read exactly as a row value
    /// of its column, so the converter maps it by the same policy as the data. Literals whose value
    /// depends on when they are evaluated ('now', 'today', ...) are left as expressions.
    /// </summary>
    Dictionary<string, object?> EvaluateConstantDefaults(IReadOnlyList<Column> columns, Dictionary<string, string?> defaults)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var constant = columns.Where(c => defaults.GetValueOrDefault(c.SourceName) is { } d && IsConstant(d)).ToList();
        if (constant.Count == 0) return result;
        var readers = constant.Select(PgColumnReader.For).ToArray();
        var inner = string.Join(", ", constant.Select(c => $"({defaults[c.SourceName]})::{c.PgType!.Name} AS {SqlQuote.Identifier(c.SourceName)}"));
        var sql = $"COPY (SELECT {string.Join(", ", readers.Select(r => r.SelectExpression))} FROM (SELECT {inner}) AS d) TO STDOUT (FORMAT BINARY)";
        try
        {
            _catalog.Savepoint(() =>
            {
                using var copy = _connection.BeginBinaryExport(sql);
                copy.StartRow();
                for (var i = 0; i < readers.Length; i++) result[constant[i].SourceName] = readers[i].Read(copy);
                while (copy.StartRow() != -1) { }
                return 0;
            });
        }
        catch (PostgresException)
        {
            // The defaults stay expressions: the mapping then reports each it cannot translate.
            result.Clear();
        }
        return result;
    }

    [GeneratedRegex("""^\(*(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|NULL)\)*(?:::(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*))?(?: [a-z]+)*(?:\(\d+(?:,\d+)?\))?(?:\[\])*\)*)*$""", RegexOptions.CultureInvariant)]
    private static partial Regex ConstantPattern();

    [GeneratedRegex(@"^'\s*(now|today|tomorrow|yesterday)\s*'", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex MomentPattern();

    internal static bool IsConstant(string expression) =>
        ConstantPattern().IsMatch(expression) && !MomentPattern().IsMatch(expression.TrimStart('('));

    (IReadOnlyList<CheckDefinition> Checks, bool NotNull) DomainConstraints(uint typeOid)
    {
        var checks = new List<CheckDefinition>();
        var notNull = false;
        using (var cmd = Command("""
            WITH RECURSIVE chain(oid, depth) AS (
                SELECT $1::oid, 0
                UNION ALL
                SELECT t.typbasetype, chain.depth + 1 FROM pg_catalog.pg_type t JOIN chain ON t.oid = chain.oid
                WHERE t.typtype = 'd' AND chain.depth < 64)
            SELECT t.typnotnull, con.conname, pg_catalog.pg_get_expr(con.conbin, 0), con.convalidated
            FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.oid
            LEFT JOIN pg_catalog.pg_constraint con ON con.contypid = t.oid AND con.contype = 'c'
            WHERE t.typtype = 'd'
            ORDER BY chain.depth, con.conname
            """, typeOid))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                notNull |= r.GetBoolean(0);
                if (!r.IsDBNull(1)) checks.Add(new CheckDefinition(r.GetString(1), r.GetString(2), r.GetBoolean(3)));
            }
        }
        return (checks, notNull);
    }

    (KeyDefinition?, List<KeyDefinition>, List<ForeignKeyDefinition>, List<CheckDefinition>, HashSet<uint>) ReadConstraints(
        uint relOid, string table, HashSet<string> chosen, List<SchemaWarning> warnings)
    {
        KeyDefinition? primaryKey = null;
        var uniques = new List<KeyDefinition>();
        var foreignKeys = new List<ForeignKeyDefinition>();
        var checks = new List<CheckDefinition>();
        var constraintIndexes = new HashSet<uint>();
        using var cmd = Command("""
            SELECT con.conname, con.contype::text,
                   array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[],
                   fn.nspname, fc.relname,
                   array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[],
                   con.confdeltype::text, con.confupdtype::text, con.confmatchtype::text,
                   con.condeferrable, con.condeferred, con.convalidated,
                   pg_catalog.pg_get_expr(con.conbin, con.conrelid), con.conindid,
                   coalesce(cardinality(con.confdelsetcols), 0), pg_catalog.pg_get_constraintdef(con.oid)
            FROM pg_catalog.pg_constraint con
            LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
            LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE con.conrelid = $1
            ORDER BY con.contype, con.conname
            """, relOid);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var name = r.GetString(0);
            var type = r.GetString(1);
            var columns = r.GetFieldValue<string[]>(2);
            if (!r.IsDBNull(13)) constraintIndexes.Add(r.GetFieldValue<uint>(13));
            var missing = columns.Where(c => !chosen.Contains(c)).ToList();
            switch (type)
            {
                case "p":
                    primaryKey = new KeyDefinition(name, columns, r.GetBoolean(9));
                    break;
                case "u":
                    if (missing.Count > 0) warnings.Add(Left(table, "Unique", name, missing));
                    else uniques.Add(new KeyDefinition(name, columns, r.GetBoolean(9)));
                    break;
                case "f":
                    if (missing.Count > 0) { warnings.Add(Left(table, "ForeignKey", name, missing)); break; }
                    if (r.GetInt32(14) > 0)
                        warnings.Add(new SchemaWarning(table, "ForeignKey", name, "ON DELETE SET NULL/SET DEFAULT with a column list has no SQLite form: the action applies to every column of the key in D1."));
                    foreignKeys.Add(new ForeignKeyDefinition(name, columns, r.GetString(3), r.GetString(4), r.GetFieldValue<string[]>(5),
                        Action(r.GetString(6)), Action(r.GetString(7)), r.GetBoolean(9), r.GetBoolean(10), r.GetBoolean(11), r.GetString(8) == "f"));
                    break;
                case "c":
                    checks.Add(new CheckDefinition(name, r.GetString(12), r.GetBoolean(11)));
                    break;
                case "x":
                    warnings.Add(new SchemaWarning(table, "Constraint", name, $"exclusion constraints have no SQLite form; not created ({r.GetString(15)})."));
                    break;
                default:
                    warnings.Add(new SchemaWarning(table, "Constraint", name, $"constraint type '{type}' has no SQLite form; not created ({r.GetString(15)})."));
                    break;
            }
        }
        return (primaryKey, uniques, foreignKeys, checks, constraintIndexes);
    }

    static SchemaWarning Left(string table, string kind, string name, List<string> missing) =>
        new(table, kind, name, $"not created: it uses column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}, which the export leaves out.");

    static ForeignKeyAction Action(string code) => code switch
    {
        "r" => ForeignKeyAction.Restrict,
        "c" => ForeignKeyAction.Cascade,
        "n" => ForeignKeyAction.SetNull,
        "d" => ForeignKeyAction.SetDefault,
        _ => ForeignKeyAction.NoAction,
    };

    List<IndexDefinition> ReadIndexes(uint relOid, string table, HashSet<uint> constraintIndexes, List<SchemaWarning> warnings)
    {
        var list = new List<IndexDefinition>();
        foreach (var ix in PgIndexReader.Read(_connection, relOid))
        {
            if (constraintIndexes.Contains(ix.Oid)) continue;
            if (!ix.IsValid)
            {
                warnings.Add(new SchemaWarning(table, "Index", ix.Name, "the index is marked invalid in the source (a failed CREATE INDEX CONCURRENTLY); not created."));
                continue;
            }
            if (ix.Method is not ("btree" or "hash"))
            {
                warnings.Add(new SchemaWarning(table, "Index", ix.Name, $"a {ix.Method} index has no SQLite form; not created ({ix.Definition})."));
                continue;
            }
            var keys = new List<IndexKey>();
            for (var k = 0; k < ix.KeyCount; k++)
            {
                var descending = (ix.Options[k] & 1) != 0;
                keys.Add(ix.Attnums[k] != 0 ? new IndexKey(ix.ColumnNames[k], null, descending) : new IndexKey(null, ix.Definitions[k], descending));
            }
            var included = ix.Attnums.Count > ix.KeyCount ? ix.ColumnNames.Skip(ix.KeyCount).Where(n => n is not null).Select(n => n!).ToList() : null;
            list.Add(new IndexDefinition(ix.Name, ix.IsUnique, keys, ix.Predicate, ix.Method, included));
        }
        return list;
    }

    NpgsqlCommand Command(string sql, uint oid)
    {
        var cmd = new NpgsqlCommand(sql, _connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = oid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
        return cmd;
    }
}
