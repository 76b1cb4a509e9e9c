using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Schema;
using Migration.Engine.Source.Sqlite;

namespace Migration.Engine.Target.Postgres;

/// <summary>The Postgres schema generated from D1 tables: statements in the order to run, the after-load statements, and every warning.</summary>
public sealed record PgSchema(IReadOnlyList<PgSchemaStatement> Statements, IReadOnlyList<PgSchemaStatement> AfterLoad, IReadOnlyList<SchemaWarning> Warnings);

/// <summary>
/// Export-PgSchema's engine: the Postgres DDL for D1 tables, under the same renames
/// ConvertTo-PgRow applies (so the schema is exactly the one the rows load into). Column types
/// by <see cref="PgSchemaCastRules"/> (declared type, pgloader's rules), then, when the data is
/// read (<see cref="PgSchemaOptions.Scan"/>), checked against every value with the very
/// converters the load uses: a TEXT column whose values are all UUIDs, dates, timestamps or JSON
/// documents takes that type, a column whose values its declared type cannot take is widened to
/// the first type that takes them all; each such decision is a <see cref="SchemaWarning"/>, never
/// silent. CREATE TABLE (primary key, NOT NULL, UNIQUE, translated defaults, identity for the
/// rowid key) in load order, then CREATE INDEX, then the foreign keys by ALTER TABLE (any order
/// of tables and cycles apply); identity sequences are set after the load (<see cref="PgSchema.AfterLoad"/>).
/// </summary>
public static partial class PgSchemaBuilder
{
    /// <summary>Postgres keeps the first 63 bytes of a name (NAMEDATALEN - 1) and drops the rest with only a NOTICE.</summary>
    const int MaxNameBytes = 63;

    sealed class ColumnPlan(D1DeclaredColumn d1, int ordinal, string name, PgType type)
    {
        public D1DeclaredColumn D1 { get; } = d1;
        public int Ordinal { get; } = ordinal;
        public string Name { get; } = name;
        public PgType Type { get; set; } = type;
        public bool NotNull { get; set; }
        public bool Identity { get; set; }
        public bool UserType { get; set; }       // -ColumnType or -ComputedColumn: nothing changes it
        public bool Computed { get; set; }       // -ComputedColumn: its values are computed at load, none is read from D1
        public bool FollowsParent { get; set; }  // a foreign-key column: its parent's type
        public PgType? Scanned { get; set; }     // the type its values were checked against
        /// <summary>No rule of the data changes it: the user's type, the identity, an id under -IdMap, a foreign key's.</summary>
        public bool Fixed => UserType || Identity || IdColumn || FollowsParent;
        public bool IdColumn { get; set; }       // a one-column key or foreign key under -IdMap
        public bool TextRule { get; set; }       // declared as text (or unknown): the data may give it a more precise type
        public bool Untyped { get; set; }        // no type, or one no rule names (BLOB or NUMERIC affinity: any storage class)
    }

    sealed class TablePlan(string name)
    {
        public string Name { get; } = name;
        public List<(TableSchema Schema, D1DeclaredTable Declared, List<ColumnPlan> Columns)> Sources { get; } = [];
        public List<ColumnPlan> Columns { get; } = [];
        public List<string> PrimaryKey { get; set; } = [];
        public List<List<string>> Uniques { get; } = [];
        public ColumnPlan? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
    }

    /// <summary>Builds the schema of <paramref name="tables"/> (described by <paramref name="source"/>, in load order).</summary>
    /// <exception cref="MappingException">A rename that cannot apply: two columns onto one name, a name Postgres would truncate, a -ColumnType entry that names nothing or no type.</exception>
    /// <param name="progress">Called per row read for the value scan (table, rows so far); the caller throttles.</param>
    public static PgSchema Build(SqliteFileSource source, IReadOnlyList<TableSchema> tables, PgSchemaOptions options, Action<string>? verbose = null, Action<string, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(options);
        var warnings = new List<SchemaWarning>();
        var conv = options.Conversion;
        var plans = new List<TablePlan>();
        var usedTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var usedComputed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var t in tables)
        {
            var declared = SqliteDeclaredSchema.Read(source, t.SourceTable);
            var pgName = PgRowConverter.TargetTableName(conv, t);
            CheckLength(t.Name, pgName, "table");
            var plan = plans.FirstOrDefault(p => p.Name == pgName);
            if (plan is null) plans.Add(plan = new TablePlan(pgName));
            var columns = new List<ColumnPlan>();
            for (var i = 0; i < declared.Columns.Count; i++)
            {
                var c = declared.Columns[i];
                if (PgRowConverter.TargetColumnName(conv, t, c.Name) is not { } name) continue;
                CheckLength(t.Name, name, "column");
                if (columns.FirstOrDefault(x => x.Name == name) is { } clash)
                    throw new MappingException(t.Name, $"columns {clash.D1.Name} and {c.Name} would both be Postgres column \"{name}\"; rename one with -ColumnMap");
                var (type, known) = PgSchemaCastRules.ForDeclared(c.DeclaredType);
                var col = new ColumnPlan(c, i, name, type) { NotNull = c.NotNull || c.KeyPosition > 0, TextRule = type == PgSchemaCastRules.Text, Untyped = !known };
                if (TryColumnType(options.ColumnTypes, t, c.Name, usedTypes) is { } chosen)
                {
                    col.Type = chosen;
                    col.UserType = true;
                    col.TextRule = false;
                }
                else if (declared.IsRowidAlias && c.KeyPosition == 1)
                {
                    // pgloader: integer with auto-increment -> bigserial. An identity BY DEFAULT takes the D1 ids as they are.
                    col.Type = PgSchemaCastRules.BigInt;
                    col.Identity = true;
                }
                columns.Add(col);
            }
            AddComputed(options.ComputedColumnTypes, t, columns, usedComputed);
            // After -ComputedColumn: a computed column that replaced an untyped D1 column has the user's type.
            foreach (var col in columns.Where(c => c.Untyped && !c.UserType))
                warnings.Add(new SchemaWarning(pgName, "Column", col.Name, col.D1.DeclaredType.Length == 0
                    ? $"D1 column {t.Name}.{col.D1.Name} declares no type: text (pgloader's rule for an empty type){(options.Scan == ValueScan.None ? "" : " unless its values say otherwise")}."
                    : $"D1 column {t.Name}.{col.D1.Name} declares \"{col.D1.DeclaredType}\", which no rule names: text (pgloader's catch-all){(options.Scan == ValueScan.None ? "" : " unless its values say otherwise")}."));
            if (columns.Count == 0) throw new MappingException(t.Name, "every column is excluded");
            plan.Sources.Add((t, declared, columns));
            Merge(plan, t, declared, columns, warnings);
        }
        foreach (var key in options.ColumnTypes.Keys)
            if (!usedTypes.Contains(key))
                throw new MappingException(key, $"-ColumnType: no D1 column \"{key}\" among the tables exported"
                    + (Preflight.NameSuggestion.Closest(key, tables.SelectMany(t => t.Columns.Select(c => t.SourceTable + "." + c.Name))) is { } near ? $" (did you mean {near}?)" : ""));
        foreach (var key in options.ComputedColumnTypes.Keys)
            if (!usedComputed.Contains(key))
            {
                var table = SplitKey(key, "-ComputedColumn", "the D1 table, the Postgres column").Table;
                throw new MappingException(key, $"-ComputedColumn: no D1 table \"{table}\" (in \"{key}\") among the tables exported"
                    + (Preflight.NameSuggestion.Closest(table, tables.Select(t => t.SourceTable)) is { } near ? $" (did you mean {near}?)" : ""));
            }

        // -IdMap: a one-column TEXT key becomes uuid whatever it holds (Import-PgTable maps what is not a UUID).
        if (options.IdMap)
            foreach (var plan in plans)
                if (plan.PrimaryKey.Count == 1 && plan.Column(plan.PrimaryKey[0]) is { UserType: false, Identity: false, TextRule: true } k)
                {
                    k.Type = PgSchemaCastRules.Uuid;
                    k.IdColumn = true;
                }

        var foreignKeys = ForeignKeys(plans, tables, conv, warnings);
        // A foreign key's columns take their parent's types (Postgres needs them comparable; the id map rewrites them together).
        Propagate(plans, foreignKeys, options.IdMap);

        if (options.Scan != ValueScan.None)
            Scan(source, plans, foreignKeys, options, warnings, verbose, progress);

        return new PgSchema(Statements(plans, foreignKeys, warnings), AfterLoad(plans), warnings);
    }

    static void CheckLength(string table, string name, string what)
    {
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            throw new MappingException(table, $"the Postgres {what} name \"{name}\" is {Encoding.UTF8.GetByteCount(name)} bytes; Postgres keeps {MaxNameBytes} and would cut it. Give it a shorter name with -{(what == "table" ? "TableMap" : "ColumnMap")}");
    }

    static PgType? TryColumnType(IReadOnlyDictionary<string, string> map, TableSchema table, string column, HashSet<string> used)
    {
        foreach (var key in map.Keys)
        {
            var (d1Table, d1Column) = SplitKey(key, "-ColumnType", "D1 names");
            if (!string.Equals(d1Table, table.SourceTable, StringComparison.OrdinalIgnoreCase) || !string.Equals(d1Column, column, StringComparison.OrdinalIgnoreCase)) continue;
            used.Add(key);
            return ParseType(map[key], table, "-ColumnType", key);
        }
        return null;
    }

    /// <summary>A -ColumnType or -ComputedColumn key, <c>table.column</c>, split at its last dot (a table name may hold dots).</summary>
    static (string Table, string Column) SplitKey(string key, string option, string names)
    {
        var dot = key.LastIndexOf('.');
        if (dot <= 0 || dot == key.Length - 1) throw new MappingException(key, $"{option} key \"{key}\" must be 'table.column' ({names})");
        return (key[..dot], key[(dot + 1)..]);
    }

    static PgType ParseType(string typeName, TableSchema table, string option, string key)
    {
        try { return PgSchemaCastRules.Parse(typeName); }
        catch (ArgumentException ex) { throw new MappingException(table.Name, $"{option} \"{key}\": {ex.Message}"); }
    }

    /// <summary>
    /// -ComputedColumn (<c>d1table.pgcolumn</c> -> type, as ConvertTo-PgRow -ComputedColumn names
    /// them): the column takes the given type, nullable (a computation may give NULL), without a
    /// default and without a value scan (its values are not in D1). A computed column replaces a D1
    /// column that maps to the same name, as in ConvertTo-PgRow; otherwise it is added at the end.
    /// </summary>
    static void AddComputed(IReadOnlyDictionary<string, string> map, TableSchema table, List<ColumnPlan> columns, HashSet<string> used)
    {
        foreach (var (key, typeName) in map)
        {
            var (d1Table, name) = SplitKey(key, "-ComputedColumn", "the D1 table, the Postgres column");
            if (!string.Equals(d1Table, table.SourceTable, StringComparison.OrdinalIgnoreCase)) continue;
            used.Add(key);
            CheckLength(table.Name, name, "column");
            var type = ParseType(typeName, table, "-ComputedColumn", key);
            var at = columns.FindIndex(c => c.Name == name);
            // A replaced D1 column keeps its D1 name (keys and indexes find it by it) but neither its type, default nor values.
            var d1 = new D1DeclaredColumn(at >= 0 ? columns[at].D1.Name : name, "", false, null, at >= 0 ? columns[at].D1.KeyPosition : 0);
            var plan = new ColumnPlan(d1, -1, name, type) { UserType = true, Computed = true };
            if (at >= 0) columns[at] = plan;
            else columns.Add(plan);
        }
    }

    /// <summary>A D1 table's columns into its Postgres table; a second D1 table mapped to the same one (a merge) adds its columns, joined on the key.</summary>
    static void Merge(TablePlan plan, TableSchema t, D1DeclaredTable declared, List<ColumnPlan> columns, List<SchemaWarning> warnings)
    {
        var key = declared.PrimaryKey.Select(k => columns.FirstOrDefault(c => c.D1.Name == k)?.Name).ToList();
        if (key.Any(k => k is null)) { key.Clear(); warnings.Add(new SchemaWarning(plan.Name, "PrimaryKey", t.Name, $"a column of {t.Name}'s primary key is excluded: the Postgres table has no primary key.")); }
        var uniques = declared.Indexes.Where(i => i.IsConstraint && i.IsUnique).ToList();
        if (plan.Sources.Count == 1)
        {
            plan.Columns.AddRange(columns);
            plan.PrimaryKey = [.. key.Select(k => k!)];
        }
        else
        {
            if (!key.Select(k => k!).SequenceEqual(plan.PrimaryKey))
                throw new MappingException(t.Name, $"merges into {plan.Name}, but its key ({string.Join(", ", key)}) is not {plan.Name}'s ({string.Join(", ", plan.PrimaryKey)}); map the key columns to the same names with -ColumnMap");
            foreach (var c in columns)
            {
                if (plan.Column(c.Name) is { } existing)
                {
                    if (!plan.PrimaryKey.Contains(c.Name) && existing.Type != c.Type)
                        warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name, $"{t.Name}.{c.D1.Name} ({c.Type}) merges into a column that is {existing.Type}; the first table's type is kept."));
                    continue;
                }
                plan.Columns.Add(c);
            }
            // A merged row may come from one of the tables only: only the key can stay NOT NULL.
            foreach (var c in plan.Columns.Where(c => c.NotNull && !plan.PrimaryKey.Contains(c.Name)))
            {
                c.NotNull = false;
                warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name, $"NOT NULL dropped: {plan.Name} merges {string.Join(" and ", plan.Sources.Select(s => s.Schema.Name))}, and a row may come from one of them only."));
            }
        }
        foreach (var u in uniques)
        {
            var names = u.Columns.Select(k => k.Column is null ? null : columns.FirstOrDefault(c => c.D1.Name == k.Column)?.Name).ToList();
            if (names.Any(n => n is null)) { warnings.Add(new SchemaWarning(plan.Name, "Unique", u.Name, $"UNIQUE ({string.Join(", ", u.Columns.Select(c => c.Column))}) of {t.Name} is left out: one of its columns is excluded.")); continue; }
            if (u.Columns.Any(c => c.Collation is { } coll && !coll.Equals("BINARY", StringComparison.OrdinalIgnoreCase)))
                warnings.Add(new SchemaWarning(plan.Name, "Unique", u.Name, $"UNIQUE ({string.Join(", ", names)}) of {t.Name} compares with a collation ({string.Join(", ", u.Columns.Select(c => c.Collation).Distinct())}); Postgres compares exactly, so it allows values SQLite refused as equal (e.g. differing in case). Use citext or a unique index on lower(...) if that matters."));
            var unique = names.Select(n => n!).ToList();
            if (!plan.Uniques.Any(x => x.SequenceEqual(unique))) plan.Uniques.Add(unique);
        }
    }

    sealed record ForeignKeyPlan(TablePlan Child, string SourceTable, List<string> Columns, TablePlan Parent, List<string> ParentColumns, D1DeclaredForeignKey Declared);

    static List<ForeignKeyPlan> ForeignKeys(List<TablePlan> plans, IReadOnlyList<TableSchema> tables, PgConversionOptions conv, List<SchemaWarning> warnings)
    {
        var list = new List<ForeignKeyPlan>();
        foreach (var plan in plans)
            foreach (var (schema, declared, columns) in plan.Sources)
                foreach (var fk in declared.ForeignKeys)
                {
                    var label = $"{schema.Name}({string.Join(", ", fk.Columns)}) -> {fk.ParentTable}";
                    var parentSource = tables.FirstOrDefault(t => string.Equals(t.SourceTable, fk.ParentTable, StringComparison.OrdinalIgnoreCase));
                    if (parentSource is null) { warnings.Add(new SchemaWarning(plan.Name, "ForeignKey", label, $"left out: {fk.ParentTable} is not among the tables exported.")); continue; }
                    var parent = plans.First(p => p.Sources.Any(s => ReferenceEquals(s.Schema, parentSource)));
                    var parentDeclared = parent.Sources.First(s => ReferenceEquals(s.Schema, parentSource));
                    var cols = fk.Columns.Select(c => columns.FirstOrDefault(x => x.D1.Name == c)?.Name).ToList();
                    if (cols.Any(c => c is null)) { warnings.Add(new SchemaWarning(plan.Name, "ForeignKey", label, "left out: one of its columns is excluded.")); continue; }
                    List<string?> parentCols = fk.ParentColumns.All(p => string.IsNullOrEmpty(p))
                        ? [.. parentDeclared.Declared.PrimaryKey.Select(k => parentDeclared.Columns.FirstOrDefault(x => x.D1.Name == k)?.Name)]
                        : [.. fk.ParentColumns.Select(p => parentDeclared.Columns.FirstOrDefault(x => string.Equals(x.D1.Name, p, StringComparison.OrdinalIgnoreCase))?.Name)];
                    if (parentCols.Count != cols.Count || parentCols.Any(c => c is null)) { warnings.Add(new SchemaWarning(plan.Name, "ForeignKey", label, $"left out: its parent columns are not columns of {parent.Name} (or are excluded).")); continue; }
                    var pc = parentCols.Select(c => c!).ToList();
                    if (!parent.PrimaryKey.SequenceEqual(pc) && !parent.Uniques.Any(u => u.SequenceEqual(pc)))
                    {
                        warnings.Add(new SchemaWarning(plan.Name, "ForeignKey", label, $"left out: {parent.Name}({string.Join(", ", pc)}) is neither its primary key nor UNIQUE, which Postgres requires of a referenced key (SQLite only fails when it checks)."));
                        continue;
                    }
                    var childCols = cols.Select(c => c!).ToList();
                    // Two merged D1 tables declaring the same key give Postgres one constraint.
                    if (list.Any(x => x.Child == plan && x.Parent == parent && x.Columns.SequenceEqual(childCols) && x.ParentColumns.SequenceEqual(pc))) continue;
                    list.Add(new ForeignKeyPlan(plan, schema.Name, childCols, parent, pc, fk));
                }
        return list;
    }

    static void Propagate(List<TablePlan> plans, List<ForeignKeyPlan> foreignKeys, bool idMap)
    {
        // Parents may themselves be children (a chain): repeat until nothing changes (bounded by the number of keys).
        for (var round = 0; round <= foreignKeys.Count; round++)
        {
            var changed = false;
            foreach (var fk in foreignKeys)
                for (var i = 0; i < fk.Columns.Count; i++)
                {
                    var child = fk.Child.Column(fk.Columns[i])!;
                    var parent = fk.Parent.Column(fk.ParentColumns[i])!;
                    if (child.UserType || child.Identity) continue; // the user's -ColumnType wins (Postgres says so if they do not compare)
                    var id = idMap && parent.IdColumn && fk.Columns.Count == 1;
                    child.FollowsParent = true;
                    child.TextRule = false;
                    if (child.Type == parent.Type && child.IdColumn == id) continue;
                    child.Type = parent.Type;
                    child.IdColumn = id;
                    changed = true;
                }
            if (!changed) return;
        }
    }

    /// <summary>Per column, while reading: the values its type refuses, and which more precise types take all of its values.</summary>
    sealed class ColumnScan(ColumnPlan column)
    {
        public ColumnPlan Column { get; } = column;
        public long Values;
        public long Refused;
        public string? FirstRefusedKey;
        public object? FirstRefused;
        public bool OnlyZeroOne = column.Type.Family == PgTypeFamily.Integer;
        // More precise types for a column declared as text, most specific first.
        public List<PgType> Candidates { get; } = !column.TextRule ? []
            : column.Untyped ? [PgSchemaCastRules.Uuid, PgSchemaCastRules.Date, PgSchemaCastRules.TimestampTz, PgSchemaCastRules.Jsonb, PgSchemaCastRules.BigInt, PgSchemaCastRules.Double, PgSchemaCastRules.Bytea]
            : [PgSchemaCastRules.Uuid, PgSchemaCastRules.Date, PgSchemaCastRules.TimestampTz, PgSchemaCastRules.Jsonb];
        // When the type refuses a value: the wider types still taking every value (checked from the first refusal on, all values again in a second pass).
        public List<PgType>? Widenings;
        /// <summary>Whether the column's type takes a value (its converter made once).</summary>
        public Func<object, bool> Check { get; } = PgSchemaCastRules.Checker(column.Type, column.IdColumn);
    }

    static void Scan(SqliteFileSource source, List<TablePlan> plans, List<ForeignKeyPlan> foreignKeys, PgSchemaOptions options, List<SchemaWarning> warnings, Action<string>? verbose, Action<string, long>? progress)
    {
        var how = options.Scan == ValueScan.Full ? "all its values" : $"its first {options.SampleSize} rows' values";
        var limit = options.Scan == ValueScan.Full ? long.MaxValue : options.SampleSize;
        var fkColumns = foreignKeys.SelectMany(f => f.Columns.Select(c => (f.Child, c))).ToHashSet();
        foreach (var plan in plans)
            foreach (var (schema, _, columns) in plan.Sources)
            {
                var scans = columns.Where(c => !c.Computed).Select(c => new ColumnScan(c)).ToList();
                foreach (var c in columns) c.Scanned = c.Type;
                long rows = 0;
                foreach (var row in source.Export(schema))
                {
                    if (rows++ >= limit) break;
                    progress?.Invoke(schema.Name, rows);
                    var values = row.GetValues();
                    foreach (var s in scans)
                    {
                        var v = values[s.Column.Ordinal];
                        if (v is null) continue;
                        s.Values++;
                        if (s.OnlyZeroOne && v is not (0L or 1L)) s.OnlyZeroOne = false;
                        for (var i = s.Candidates.Count - 1; i >= 0; i--)
                            if ((s.Candidates[i] == PgSchemaCastRules.Jsonb && (v is not string text || !PgSchemaCastRules.LooksLikeJsonDocument(text)))
                                || (s.Candidates[i].Family is PgTypeFamily.Uuid or PgTypeFamily.Date or PgTypeFamily.TimestampTz && v is not string)
                                || (s.Candidates[i].Family is PgTypeFamily.Integer or PgTypeFamily.Float && v is string)
                                || !PgSchemaCastRules.Accepts(s.Candidates[i], v, mayBeMapped: false))
                                s.Candidates.RemoveAt(i);
                        if (!s.Check(v))
                        {
                            if (s.Refused++ == 0) { s.FirstRefusedKey = row.DescribeKey(); s.FirstRefused = v; }
                        }
                    }
                }
                verbose?.Invoke($"{schema.Name}: read {Math.Min(rows, limit)} rows to check the column types.");
                var widen = new List<ColumnScan>();
                foreach (var s in scans)
                {
                    var c = s.Column;
                    if (s.Refused > 0)
                    {
                        if (!c.Fixed && !fkColumns.Contains((plan, c.Name))) { widen.Add(s); continue; }
                        warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name,
                            $"{c.Type}{(c.Fixed ? " (as given or required by its key)" : "")}: {s.Refused} of {s.Values} values of {schema.Name}.{c.D1.Name} cannot load into it, e.g. row {s.FirstRefusedKey}: {ValueExcerpt.Of(s.FirstRefused)}; those rows will be refused."));
                        continue;
                    }
                    if (s.Values > 0 && s.Candidates.Count > 0 && !fkColumns.Contains((plan, c.Name)) && plan.Sources.Count(x => x.Columns.Any(y => y.Name == c.Name)) == 1)
                    {
                        var inferred = s.Candidates[0];
                        c.Type = c.Scanned = inferred;
                        c.TextRule = false;
                        warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name,
                            $"{inferred}, decided from the data: D1 declares {schema.Name}.{c.D1.Name} \"{c.D1.DeclaredType}\" and {how} ({s.Values}) are {Describe(inferred)}. Give -ColumnType @{{ '{schema.SourceTable}.{c.D1.Name}' = 'text' }} to keep text."));
                    }
                    else if (s.OnlyZeroOne && s.Values > 0 && !c.Fixed && c.Type.Family == PgTypeFamily.Integer && !plan.PrimaryKey.Contains(c.Name))
                        warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name,
                            $"{c.Type}: {how} ({s.Values}) are 0 or 1. If {schema.Name}.{c.D1.Name} is a flag, give -ColumnType @{{ '{schema.SourceTable}.{c.D1.Name}' = 'boolean' }} (the load turns 0/1 into false/true)."));
                }
                if (widen.Count > 0) Widen(source, schema, plan, widen, limit, how, warnings);
            }
        // A parent whose type changed: its children follow, and are read again for it.
        Propagate(plans, foreignKeys, options.IdMap);
        foreach (var plan in plans)
            foreach (var (schema, _, columns) in plan.Sources)
                if (columns.Where(c => c.Scanned != c.Type).ToList() is { Count: > 0 } changed)
                    Verify(source, schema, plan, changed, limit, warnings);
    }

    /// <summary>Columns whose type changed after the first read (a foreign key following its parent): the values that type refuses, as warnings.</summary>
    static void Verify(SqliteFileSource source, TableSchema schema, TablePlan plan, List<ColumnPlan> columns, long limit, List<SchemaWarning> warnings)
    {
        var scans = columns.Where(c => !c.Computed).Select(c => new ColumnScan(c)).ToList();
        long rows = 0;
        foreach (var row in source.Export(schema))
        {
            if (rows++ >= limit) break;
            var values = row.GetValues();
            foreach (var s in scans)
            {
                var v = values[s.Column.Ordinal];
                if (v is null) continue;
                s.Values++;
                if (!s.Check(v) && s.Refused++ == 0) { s.FirstRefusedKey = row.DescribeKey(); s.FirstRefused = v; }
            }
        }
        foreach (var s in scans)
        {
            s.Column.Scanned = s.Column.Type;
            if (s.Refused > 0)
                warnings.Add(new SchemaWarning(plan.Name, "Column", s.Column.Name,
                    $"{s.Column.Type} (its foreign key's parent column is): {s.Refused} of {s.Values} values of {schema.Name}.{s.Column.D1.Name} cannot load into it, e.g. row {s.FirstRefusedKey}: {ValueExcerpt.Of(s.FirstRefused)}; those rows will be refused{(s.Column.Type.Family == PgTypeFamily.Uuid ? " (-IdMap Generate maps text ids to UUIDs)" : "")}."));
        }
    }

    /// <summary>Second read of a table for the columns whose type refused a value: the first wider type taking every value.</summary>
    static void Widen(SqliteFileSource source, TableSchema schema, TablePlan plan, List<ColumnScan> scans, long limit, string how, List<SchemaWarning> warnings)
    {
        foreach (var s in scans) s.Widenings = [.. PgSchemaCastRules.Widenings(s.Column.Type)];
        long rows = 0;
        foreach (var row in source.Export(schema))
        {
            if (rows++ >= limit) break;
            var values = row.GetValues();
            foreach (var s in scans)
            {
                var v = values[s.Column.Ordinal];
                if (v is null) continue;
                s.Widenings!.RemoveAll(w => !PgSchemaCastRules.Accepts(w, v, mayBeMapped: false));
            }
        }
        foreach (var s in scans)
        {
            var c = s.Column;
            var declared = c.Type;
            if (s.Widenings!.Count == 0)
            {
                warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name,
                    $"{declared}: {s.Refused} of {s.Values} values of {schema.Name}.{c.D1.Name} cannot load into it, e.g. row {s.FirstRefusedKey}: {ValueExcerpt.Of(s.FirstRefused)}, and no wider type takes them all (mixed storage classes); those rows will be refused."));
                continue;
            }
            c.Type = c.Scanned = s.Widenings[0];
            warnings.Add(new SchemaWarning(plan.Name, "Column", c.Name,
                $"{c.Type}, widened from {declared} (the declared \"{c.D1.DeclaredType}\"): {s.Refused} of the {s.Values} values of {schema.Name}.{c.D1.Name} ({how}) do not fit {declared}, e.g. row {s.FirstRefusedKey}: {ValueExcerpt.Of(s.FirstRefused)}."));
        }
    }

    static string Describe(PgType t) => t.Family switch
    {
        PgTypeFamily.Uuid => "UUIDs",
        PgTypeFamily.Date => "dates",
        PgTypeFamily.TimestampTz => "timestamps",
        PgTypeFamily.Jsonb => "JSON objects or arrays",
        PgTypeFamily.Integer => "integers",
        PgTypeFamily.Float => "numbers",
        _ => "BLOBs",
    };

    static List<PgSchemaStatement> Statements(List<TablePlan> plans, List<ForeignKeyPlan> foreignKeys, List<SchemaWarning> warnings)
    {
        var list = new List<PgSchemaStatement>();
        foreach (var plan in plans) list.Add(new PgSchemaStatement(plan.Name, "Table", plan.Name, CreateTable(plan, warnings)));
        var indexNames = new HashSet<string>(plans.Select(p => p.Name), StringComparer.Ordinal);
        foreach (var plan in plans)
            foreach (var (schema, declared, columns) in plan.Sources)
                foreach (var ix in declared.Indexes.Where(i => !i.IsConstraint))
                {
                    if (ix.Predicate is not null) { warnings.Add(new SchemaWarning(plan.Name, "Index", ix.Name, $"left out: a partial index (WHERE {ix.Predicate}) of {schema.Name}; SQLite's expression is not translated. Create it by hand if needed.")); continue; }
                    if (ix.Columns.Any(c => c.Column is null)) { warnings.Add(new SchemaWarning(plan.Name, "Index", ix.Name, $"left out: an index on an expression of {schema.Name}; SQLite's expression is not translated. Create it by hand if needed.")); continue; }
                    var names = ix.Columns.Select(k => columns.FirstOrDefault(c => c.D1.Name == k.Column)?.Name).ToList();
                    if (names.Any(n => n is null)) { warnings.Add(new SchemaWarning(plan.Name, "Index", ix.Name, $"left out: one of its columns of {schema.Name} is excluded.")); continue; }
                    if (ix.Columns.Any(c => c.Collation is { } coll && !coll.Equals("BINARY", StringComparison.OrdinalIgnoreCase)))
                        warnings.Add(new SchemaWarning(plan.Name, "Index", ix.Name, $"its collation ({string.Join(", ", ix.Columns.Select(c => c.Collation).Distinct())}) is not carried: Postgres compares exactly{(ix.IsUnique ? ", so the index allows values SQLite refused as equal" : "")}."));
                    if (!indexNames.Add(ix.Name)) { warnings.Add(new SchemaWarning(plan.Name, "Index", ix.Name, "left out: its name is already a table's or another index's in the schema.")); continue; }
                    var sql = new StringBuilder(ix.IsUnique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ").Append(SqlQuote.Identifier(ix.Name))
                        .Append(" ON ").Append(SqlQuote.Identifier(plan.Name)).Append(" (")
                        .AppendJoin(", ", ix.Columns.Select((k, i) => SqlQuote.Identifier(names[i]!) + (k.Descending ? " DESC" : ""))).Append(')');
                    list.Add(new PgSchemaStatement(plan.Name, "Index", ix.Name, sql.ToString()));
                }
        var constraintNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fk in foreignKeys)
        {
            // Postgres's own naming (table_columns_fkey), numbered when two keys would share it.
            var name = fk.Child.Name + "_" + string.Join("_", fk.Columns) + "_fkey";
            for (var n = 1; !constraintNames.Add(name); n++) name = fk.Child.Name + "_" + string.Join("_", fk.Columns) + "_fkey" + n.ToString(CultureInfo.InvariantCulture);
            var constraint = Encoding.UTF8.GetByteCount(name) <= MaxNameBytes ? "CONSTRAINT " + SqlQuote.Identifier(name) + " " : "";
            var sql = new StringBuilder("ALTER TABLE ").Append(SqlQuote.Identifier(fk.Child.Name)).Append(" ADD ").Append(constraint)
                .Append("FOREIGN KEY (").Append(SqlQuote.Identifiers(fk.Columns)).Append(") REFERENCES ").Append(SqlQuote.Identifier(fk.Parent.Name))
                .Append(" (").Append(SqlQuote.Identifiers(fk.ParentColumns)).Append(')');
            if (fk.Declared.OnDelete != ForeignKeyAction.NoAction) sql.Append(" ON DELETE ").Append(fk.Declared.OnDelete.Sql());
            if (fk.Declared.OnUpdate != ForeignKeyAction.NoAction) sql.Append(" ON UPDATE ").Append(fk.Declared.OnUpdate.Sql());
            list.Add(new PgSchemaStatement(fk.Child.Name, "ForeignKey", name, sql.ToString()));
        }
        return list;
    }

    static string CreateTable(TablePlan plan, List<SchemaWarning> warnings)
    {
        var items = new List<string>();
        foreach (var c in plan.Columns)
        {
            var sb = new StringBuilder(SqlQuote.Identifier(c.Name)).Append(' ').Append(c.Type.Name);
            if (c.Identity) sb.Append(" GENERATED BY DEFAULT AS IDENTITY");
            if (c.NotNull) sb.Append(" NOT NULL");
            if (!c.Identity && c.D1.Default is { } d && Default(d, c.Type) is var (sql, reason))
            {
                if (sql is not null) sb.Append(" DEFAULT ").Append(sql);
                else if (reason is not null) warnings.Add(new SchemaWarning(plan.Name, "Default", c.Name, $"DEFAULT {d} is left out: {reason}."));
            }
            items.Add(sb.ToString());
        }
        if (plan.PrimaryKey.Count > 0) items.Add($"PRIMARY KEY ({SqlQuote.Identifiers(plan.PrimaryKey)})");
        foreach (var u in plan.Uniques) items.Add($"UNIQUE ({SqlQuote.Identifiers(u)})");
        foreach (var (schema, declared, _) in plan.Sources)
        {
            if (Check().IsMatch(declared.Sql))
                warnings.Add(new SchemaWarning(plan.Name, "Check", schema.Name, $"{schema.Name}'s CHECK constraints are not translated (SQLite expressions); add them by hand after review."));
            if (Deferrable().IsMatch(declared.Sql))
                warnings.Add(new SchemaWarning(plan.Name, "ForeignKey", schema.Name, $"{schema.Name} declares DEFERRABLE foreign keys; they are created NOT DEFERRABLE (Import-PgTable loads parents first; -DeferForeignKeys checks them once at the end)."));
            if (declared.WithoutRowid)
                warnings.Add(new SchemaWarning(plan.Name, "Table", schema.Name, $"{schema.Name} is a WITHOUT ROWID table: Postgres has no such option (the table is an ordinary heap with its primary key)."));
        }
        return $"CREATE TABLE {SqlQuote.Identifier(plan.Name)} (\n  {string.Join(",\n  ", items)}\n)";
    }

    /// <summary>
    /// A SQLite DEFAULT as a Postgres DEFAULT for a column of <paramref name="type"/>: (sql, null)
    /// when it translates, (null, reason) when not, (null, null) for DEFAULT NULL (nothing to say).
    /// SQLite's CURRENT_TIMESTAMP/DATE/TIME are UTC text; Postgres gets the same instant, as text
    /// in SQLite's layout when the column is text.
    /// </summary>
    internal static (string? Sql, string? Reason) Default(string sqliteDefault, PgType type)
    {
        var d = sqliteDefault.Trim();
        while (d.Length > 1 && d[0] == '(' && d[^1] == ')' && !d[1..^1].Contains('(', StringComparison.Ordinal)) d = d[1..^1].Trim();
        var upper = d.ToUpperInvariant();
        var f = type.Family;
        if (upper == "NULL") return (null, null);
        switch (upper)
        {
            case "CURRENT_TIMESTAMP":
                return f switch
                {
                    PgTypeFamily.TimestampTz => ("CURRENT_TIMESTAMP", null),
                    PgTypeFamily.Timestamp => ("(now() AT TIME ZONE 'UTC')", null),
                    PgTypeFamily.Text => ("to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')", null),
                    _ => (null, $"CURRENT_TIMESTAMP has no {type} value"),
                };
            case "CURRENT_DATE":
                return f switch
                {
                    PgTypeFamily.Date => ("((now() AT TIME ZONE 'UTC')::date)", null),
                    PgTypeFamily.Text => ("to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')", null),
                    _ => (null, $"CURRENT_DATE has no {type} value"),
                };
            case "CURRENT_TIME":
                return f switch
                {
                    PgTypeFamily.Time => ("((now() AT TIME ZONE 'UTC')::time(0))", null),
                    PgTypeFamily.Text => ("to_char(now() AT TIME ZONE 'UTC', 'HH24:MI:SS')", null),
                    _ => (null, $"CURRENT_TIME has no {type} value"),
                };
            case "TRUE" or "FALSE":
                d = upper == "TRUE" ? "1" : "0";
                break;
        }
        object? value;
        if (NumberLiteral().IsMatch(d))
            value = long.TryParse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? (object)l
                : double.Parse(d, NumberStyles.Float, CultureInfo.InvariantCulture);
        else if (d.Length >= 2 && d[0] == '\'' && d[^1] == '\'' && !d[1..^1].Replace("''", "", StringComparison.Ordinal).Contains('\'', StringComparison.Ordinal))
            value = d[1..^1].Replace("''", "'", StringComparison.Ordinal);
        else return (null, "a SQLite expression, not translated; set it by hand if the application relies on it");

        if (!PgSchemaCastRules.Accepts(type, value, mayBeMapped: false)) return (null, $"not a {type} value");
        return f switch
        {
            PgTypeFamily.Boolean => (value is 1L ? "true" : "false", null),
            PgTypeFamily.Integer or PgTypeFamily.Float or PgTypeFamily.Numeric => (value is string s ? SqlQuote.Literal(s.Trim()) : System.Convert.ToString(value, CultureInfo.InvariantCulture)!.Replace("E", "e", StringComparison.Ordinal), null),
            PgTypeFamily.Text => (SqlQuote.Literal(value is string t ? t : value is double r ? r.ToString("R", CultureInfo.InvariantCulture) : System.Convert.ToString(value, CultureInfo.InvariantCulture)!), null),
            PgTypeFamily.Uuid or PgTypeFamily.Json or PgTypeFamily.Jsonb or PgTypeFamily.Date when value is string s => (SqlQuote.Literal(s), null),
            _ => (null, $"a {type} default is not translated (its meaning depends on -AssumeTimeZone / -EpochUnit); set it by hand"),
        };
    }

    static List<PgSchemaStatement> AfterLoad(List<TablePlan> plans) =>
        [.. plans.SelectMany(p => p.Columns.Where(c => c.Identity).Select(c => new PgSchemaStatement(p.Name, "Sequence", c.Name,
            // is_called false with max + 1 (1 for an empty table): the next id is one past the largest loaded.
            $"SELECT setval(pg_get_serial_sequence({SqlQuote.Literal(SqlQuote.Identifier(p.Name))}, {SqlQuote.Literal(c.Name)}), coalesce(max({SqlQuote.Identifier(c.Name)}), 0) + 1, false) FROM {SqlQuote.Identifier(p.Name)}")))];

    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberLiteral();

    [GeneratedRegex(@"\bCHECK\s*\(", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Check();

    [GeneratedRegex(@"(?<!\bNOT\s+)\bDEFERRABLE\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Deferrable();
}
