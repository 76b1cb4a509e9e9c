using System.Globalization;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Maps a source table's <see cref="TableDefinition"/> to the D1 one, under the same options and
/// with the same converters as its rows: names through TableMap/ColumnMap/Exclude (for the
/// table's own columns and for the parents its foreign keys name), constant defaults through
/// the column's converter (so a default is stored exactly as a row value would be), expressions
/// through <see cref="SqliteExpression"/>. Whatever cannot be carried is left out of the result
/// and named in its <see cref="TableDefinition.Warnings"/>.
/// </summary>
internal static class D1DefinitionMapper
{
    public static TableDefinition Map(TableSchema source, TableSchema target, ConversionOptions options,
        int[] sourceOrdinals, ValueConverter[] converters, ColumnSettings[] settings)
    {
        var definition = source.Definition!;
        var table = target.Name;
        var warnings = new List<SchemaWarning>(definition.Warnings);

        // Source column name -> (D1 column ordinal among converted columns).
        var d1Of = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sourceOrdinals.Length; i++) d1Of[source.Columns[sourceOrdinals[i]].Name] = i;
        var enumTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in definition.Columns)
            if (c.EnumLabels is not null && source.IndexOf(c.Name) is var o && o >= 0) enumTypes.Add(source.Columns[o].PgType!.Name);

        ExpressionColumn? Resolve(string sourceName)
        {
            if (!d1Of.TryGetValue(sourceName, out var i)) return null;
            var col = target.Columns[i];
            var def = definition.Column(sourceName);
            var pg = col.PgType!;
            return new ExpressionColumn(col.Name, pg.Family, col.D1Type,
                IsPaddedChar: pg.Oid == Source.PgTypeClassifier.BpcharOid, IsEnum: def?.EnumLabels is not null);
        }
        bool IsEnumType(string type) => enumTypes.Contains(type) || enumTypes.Any(e => e.EndsWith("." + type, StringComparison.OrdinalIgnoreCase) || type.EndsWith("." + e, StringComparison.OrdinalIgnoreCase));

        var rowidKey = target.PrimaryKey.Count == 1 && target.Columns[target.PrimaryKey[0]].D1Type == D1Type.Integer ? target.PrimaryKey[0] : -1;
        var columns = new List<ColumnDefinition>(target.Columns.Count);
        var checks = new List<CheckDefinition>();
        for (var i = 0; i < target.Columns.Count; i++)
        {
            var col = target.Columns[i];
            if (i >= sourceOrdinals.Length)
            {
                columns.Add(new ColumnDefinition(col.Name)); // a computed column: no source definition
                continue;
            }
            var def = definition.Column(col.SourceName) ?? new ColumnDefinition(col.SourceName);
            string? d1Default = null;
            if (def.Generated is not null)
                warnings.Add(new SchemaWarning(table, "Column", col.Name,
                    $"a generated column in the source (GENERATED ALWAYS AS ({def.Generated}) STORED); in D1 it is a plain column holding the source's values, and SQLite does not recompute it."));
            else if (def.Identity != IdentityKind.None)
            {
                if (i != rowidKey)
                    warnings.Add(new SchemaWarning(table, "Default", col.Name,
                        $"{(def.Identity == IdentityKind.Serial ? "a sequence default (" + def.Default + ")" : "an identity column")} has no SQLite form outside an INTEGER PRIMARY KEY; inserts must give the value."));
            }
            else if (def.Default is not null)
                d1Default = MapDefault(table, col, def, converters[i], settings[i], warnings);

            if (def.EnumLabels is { Count: > 0 } labels && col.D1Type == D1Type.Text)
                checks.Add(new CheckDefinition(col.Name + "_enum",
                    $"{SqlQuote.Identifier(col.Name)} IN ({string.Join(", ", labels.Select(SqlQuote.Literal))})"));
            foreach (var dc in def.DomainChecks ?? [])
            {
                var r = SqliteExpression.Translate(dc.Expression, n => n.Equals("VALUE", StringComparison.OrdinalIgnoreCase) ? Resolve(col.SourceName) : null, IsEnumType, predicate: true);
                if (!dc.IsValidated)
                    warnings.Add(new SchemaWarning(table, "Check", dc.Name, $"the domain {def.Domain} check is NOT VALID in the source (rows may break it); not created."));
                else if (r.Sql is null)
                    warnings.Add(new SchemaWarning(table, "Check", dc.Name, $"the domain {def.Domain} check ({dc.Expression}) on column {col.Name} is not created: {r.Refusal}."));
                else
                    checks.Add(new CheckDefinition(dc.Name, r.Sql));
            }
            if (def.Collation is not null)
                warnings.Add(new SchemaWarning(table, "Column", col.Name, $"collation \"{def.Collation}\" has no SQLite equivalent: D1 compares and sorts this column with BINARY."));
            columns.Add(new ColumnDefinition(col.Name, Default: d1Default, Identity: def.Identity, Comment: def.Comment,
                EnumLabels: def.EnumLabels, Domain: def.Domain));
        }

        foreach (var check in definition.Checks)
        {
            if (!check.IsValidated)
            {
                warnings.Add(new SchemaWarning(table, "Check", check.Name, "NOT VALID in the source (existing rows may break it); not created."));
                continue;
            }
            var r = SqliteExpression.Translate(check.Expression, Resolve, IsEnumType, predicate: true);
            if (r.Sql is null) warnings.Add(new SchemaWarning(table, "Check", check.Name, $"CHECK ({check.Expression}) is not created: {r.Refusal}."));
            else checks.Add(new CheckDefinition(check.Name, r.Sql));
        }

        KeyDefinition? primaryKey = null;
        if (target.HasPrimaryKey)
            primaryKey = new KeyDefinition(definition.PrimaryKey?.Name ?? table + "_pkey", [.. target.PrimaryKey.Select(k => target.Columns[k].Name)]);
        else if (definition.PrimaryKey is not null)
            warnings.Add(new SchemaWarning(table, "PrimaryKey", definition.PrimaryKey.Name, "a key column is excluded, so the D1 table has no primary key."));

        var uniques = new List<KeyDefinition>();
        foreach (var u in definition.Uniques)
        {
            var names = MapColumns(u.Columns, d1Of, target);
            if (names is null) { warnings.Add(new SchemaWarning(table, "Unique", u.Name, "a column of it is excluded; not created.")); continue; }
            if (u.IsDeferrable) warnings.Add(new SchemaWarning(table, "Unique", u.Name, "DEFERRABLE in the source; SQLite checks UNIQUE at every statement."));
            uniques.Add(new KeyDefinition(u.Name, names));
        }

        var foreignKeys = new List<ForeignKeyDefinition>();
        foreach (var fk in definition.ForeignKeys)
        {
            var names = MapColumns(fk.Columns, d1Of, target);
            if (names is null) { warnings.Add(new SchemaWarning(table, "ForeignKey", fk.Name, "a column of it is excluded; not created.")); continue; }
            var parentSchema = fk.ParentSchema;
            var parentKeys = MapKeys.ForTable(parentSchema, fk.ParentTable);
            var parentTable = MapKeys.TryFind(options.TableMap, parentKeys, source.SourceDisplayName, "TableMap", out var mapped) ? mapped : fk.ParentTable;
            var parentColumns = new List<string>();
            var excluded = false;
            foreach (var pc in fk.ParentColumns)
            {
                var keys = MapKeys.ForColumn(parentSchema, fk.ParentTable, pc);
                if (MapKeys.Contains(options.Exclude, keys, source.SourceDisplayName, "Exclude")) { excluded = true; break; }
                parentColumns.Add(MapKeys.TryFind(options.ColumnMap, keys, source.SourceDisplayName, "ColumnMap", out var renamed) ? renamed : pc);
            }
            if (excluded) { warnings.Add(new SchemaWarning(table, "ForeignKey", fk.Name, $"the referenced column of {fk.ParentDisplayName} is excluded; not created.")); continue; }
            if (fk.MatchFull) warnings.Add(new SchemaWarning(table, "ForeignKey", fk.Name, "MATCH FULL in the source; SQLite checks it as MATCH SIMPLE (a key with some NULL columns is not checked)."));
            if (!fk.IsValidated) warnings.Add(new SchemaWarning(table, "ForeignKey", fk.Name, "NOT VALID in the source: existing rows may be orphans, which -OrphanPolicy decides on (D1 enforces the key)."));
            foreignKeys.Add(new ForeignKeyDefinition(fk.Name, names, null, parentTable, parentColumns, fk.OnDelete, fk.OnUpdate,
                fk.IsDeferrable, fk.IsInitiallyDeferred, fk.IsValidated, fk.MatchFull));
        }

        var indexes = new List<IndexDefinition>();
        var indexPrefix = source.SourceSchema is null or "public" ? "" : source.SourceSchema + ".";
        foreach (var ix in definition.Indexes)
        {
            var mappedIndex = MapIndex(table, ix, indexPrefix, Resolve, IsEnumType, warnings);
            if (mappedIndex is not null) indexes.Add(mappedIndex);
        }

        if (definition.Comment is not null || columns.Any(c => c.Comment is not null))
            warnings.Add(new SchemaWarning(table, "Comment", table,
                "SQLite has no COMMENT: the table's and columns' comments are written as -- comments inside CREATE TABLE, which SQLite keeps but wrangler strips from a --file or migration."));
        return new TableDefinition(columns, primaryKey, uniques, foreignKeys, checks, indexes, definition.Comment, warnings);
    }

    static IndexDefinition? MapIndex(string table, IndexDefinition ix, string prefix, Func<string, ExpressionColumn?> resolve,
        Func<string, bool> isEnumType, List<SchemaWarning> warnings)
    {
        var keys = new List<IndexKey>();
        string? note = null;
        foreach (var k in ix.Keys)
        {
            if (k.Column is not null)
            {
                var c = resolve(k.Column);
                if (c is null) { warnings.Add(new SchemaWarning(table, "Index", ix.Name, $"column {k.Column} is excluded; not created.")); return null; }
                keys.Add(new IndexKey(c.D1Name, null, k.Descending));
                continue;
            }
            var r = SqliteExpression.Translate(k.Expression!, resolve, isEnumType, predicate: false);
            if (r.Sql is null)
            {
                warnings.Add(new SchemaWarning(table, "Index", ix.Name, $"the key expression ({k.Expression}) is not translated: {r.Refusal}; not created."));
                return null;
            }
            note ??= r.Note;
            keys.Add(new IndexKey(null, r.Sql, k.Descending));
        }
        string? predicate = null;
        if (ix.Predicate is not null)
        {
            var r = SqliteExpression.Translate(ix.Predicate, resolve, isEnumType, predicate: true);
            if (r.Sql is null)
            {
                warnings.Add(new SchemaWarning(table, "Index", ix.Name, $"the partial index condition (WHERE {ix.Predicate}) is not translated: {r.Refusal}; not created."));
                return null;
            }
            note ??= r.Note;
            predicate = r.Sql;
        }
        if (ix.Method == "hash")
            warnings.Add(new SchemaWarning(table, "Index", ix.Name, "a hash index in the source; created as an ordinary (b-tree) index, which serves the same lookups."));
        if (ix.IncludedColumns is { Count: > 0 })
            warnings.Add(new SchemaWarning(table, "Index", ix.Name, $"INCLUDE ({string.Join(", ", ix.IncludedColumns)}) has no SQLite form; the index is created without them."));
        if (note is not null && ix.IsUnique)
            warnings.Add(new SchemaWarning(table, "Index", ix.Name, note + ": this unique index treats non-ASCII case variants as different values."));
        return new IndexDefinition(prefix + ix.Name, ix.IsUnique, keys, predicate);
    }

    static List<string>? MapColumns(IReadOnlyList<string> columns, Dictionary<string, int> d1Of, TableSchema target)
    {
        var list = new List<string>(columns.Count);
        foreach (var c in columns)
        {
            if (!d1Of.TryGetValue(c, out var i)) return null;
            list.Add(target.Columns[i].Name);
        }
        return list;
    }

    static readonly HashSet<string> Now = new(StringComparer.OrdinalIgnoreCase)
    {
        "now()", "CURRENT_TIMESTAMP", "transaction_timestamp()", "statement_timestamp()", "clock_timestamp()",
    };

    /// <summary>The SQLite DEFAULT for a column, or null (with a warning) when it has none this module can prove.</summary>
    static string? MapDefault(string table, Column col, ColumnDefinition def, ValueConverter converter, ColumnSettings settings,
        List<SchemaWarning> warnings)
    {
        if (def.HasDefaultConstant)
        {
            if (def.DefaultConstant is null) return null; // DEFAULT NULL is SQLite's default too
            try
            {
                return SqliteLiteral(converter.Convert(def.DefaultConstant));
            }
            catch (ValueRejectedException e)
            {
                warnings.Add(new SchemaWarning(table, "Default", col.Name, $"DEFAULT {def.Default} is not created: the value cannot be converted ({e.Reason})."));
                return null;
            }
        }

        var expression = def.Default!.Trim();
        var family = col.PgType!.Family;
        if (Now.Contains(expression))
        {
            if (family == PgTypeFamily.TimestampTz)
            {
                return settings.TimestampFormat switch
                {
                    // 'now' holds milliseconds; the converter writes six fraction digits, so three zeros follow.
                    TimestampFormat.Iso8601 => "(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z')",
                    TimestampFormat.SqliteDateTime => "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')",
                    TimestampFormat.UnixSeconds => "(CAST(strftime('%s', 'now') AS INTEGER))",
                    _ => "(CAST(strftime('%s', 'now') AS INTEGER) * 1000 + CAST(substr(strftime('%f', 'now'), 4) AS INTEGER))",
                };
            }
            warnings.Add(new SchemaWarning(table, "Default", col.Name,
                $"DEFAULT {expression} on a {col.PgType.Name} column depends on the Postgres session's time zone; not created."));
            return null;
        }
        warnings.Add(new SchemaWarning(table, "Default", col.Name,
            $"DEFAULT {expression} has no SQLite equivalent this module can prove; not created, inserts must give the value."));
        return null;
    }

    /// <summary>A D1 value (long, double, string, byte[]) as a SQLite literal.</summary>
    internal static string SqliteLiteral(object? value) => value switch
    {
        null => "NULL",
        long l => l < 0 ? "(" + l.ToString(CultureInfo.InvariantCulture) + ")" : l.ToString(CultureInfo.InvariantCulture),
        double d => "(" + d.ToString("R", CultureInfo.InvariantCulture) + ")",
        string s => SqlQuote.Literal(s),
        byte[] b => "X'" + System.Convert.ToHexString(b) + "'",
        _ => throw new ArgumentException($"Not a D1 value: {value.GetType().Name}.", nameof(value)),
    };


}
