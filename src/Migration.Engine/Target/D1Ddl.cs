using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>One statement of a D1 schema: a table or an index, as Export-D1Schema emits it.</summary>
/// <param name="Table">The D1 table the statement is about.</param>
/// <param name="Kind"><c>Table</c> or <c>Index</c>.</param>
/// <param name="Name">The table's or the index's name.</param>
/// <param name="Sql">The statement, without a trailing semicolon.</param>
public sealed record D1SchemaStatement(string Table, string Kind, string Name, string Sql)
{
    public override string ToString() => Sql + ";";
}

/// <summary>
/// The SQLite DDL of D1 tables: CREATE TABLE with the primary key, UNIQUE, CHECK and FOREIGN
/// KEY constraints, defaults and comments of the D1 <see cref="TableDefinition"/> (or from the
/// columns alone when a schema has none), and CREATE INDEX for its secondary indexes. The same
/// text the SQLite target runs, so a reviewed migration file and an imported database agree.
/// </summary>
public static partial class D1Ddl
{
    /// <summary>
    /// Throws <see cref="TargetSchemaException"/> with the reason when D1 cannot take the table
    /// (a name reserved by D1 or SQLite, more columns than D1 allows): checked before any DDL is
    /// written or run.
    /// </summary>
    public static void CheckTable(TableSchema schema, D1Limits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        TableBinding.CheckD1Limits(schema, limits ?? D1Limits.Default);
    }

    /// <summary>
    /// <see cref="CheckTable"/> for each table, and no two source tables may become one D1 table
    /// (e.g. <c>public.items</c> and <c>sales.items</c> without a TableMap entry).
    /// </summary>
    public static void CheckTables(IEnumerable<TableSchema> tables, D1Limits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var seen = new Dictionary<string, TableSchema>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in tables)
        {
            CheckTable(t, limits);
            if (seen.TryGetValue(t.Name, out var other) && !ReferenceEquals(other, t))
                throw new TargetSchemaException(t.Name,
                    $"both {other.SourceDisplayName} and {t.SourceDisplayName} would be this D1 table; give one of them another name with -TableMap.");
            seen[t.Name] = t;
        }
    }

    /// <summary>CREATE TABLE for a D1 schema.</summary>
    public static string CreateTable(TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var d = schema.Definition;
        if (d is null) return SqliteSql.CreateTable(schema);

        var rowidKey = schema.PrimaryKey.Count == 1 && schema.Columns[schema.PrimaryKey[0]].D1Type == D1Type.Integer
            ? schema.PrimaryKey[0]
            : -1;
        var items = new List<(string Sql, string? Comment)>();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var c = schema.Columns[i];
            var cd = d.Column(c.Name);
            var sb = new StringBuilder(SqlQuote.Identifier(c.Name)).Append(' ').Append(SqliteSql.TypeName(c.D1Type));
            if (!c.IsNullable || schema.PrimaryKey.Contains(i)) sb.Append(" NOT NULL");
            if (i == rowidKey) sb.Append(" PRIMARY KEY");
            if (cd?.Default is not null) sb.Append(" DEFAULT ").Append(cd.Default);
            items.Add((sb.ToString(), cd?.Comment));
        }
        if (schema.HasPrimaryKey && rowidKey < 0)
            items.Add(($"{Constraint(d.PrimaryKey?.Name)}PRIMARY KEY ({Names(schema.PrimaryKey.Select(k => schema.Columns[k].Name))})", null));
        foreach (var u in d.Uniques)
            items.Add(($"{Constraint(u.Name)}UNIQUE ({Names(u.Columns)})", null));
        foreach (var check in d.Checks)
            items.Add(($"{Constraint(check.Name)}CHECK ({check.Expression})", null));
        foreach (var fk in d.ForeignKeys)
        {
            var sb = new StringBuilder(Constraint(fk.Name))
                .Append("FOREIGN KEY (").Append(Names(fk.Columns)).Append(") REFERENCES ").Append(SqlQuote.Identifier(fk.ParentTable))
                .Append(" (").Append(Names(fk.ParentColumns)).Append(')');
            if (fk.OnDelete != ForeignKeyAction.NoAction) sb.Append(" ON DELETE ").Append(fk.OnDelete.Sql());
            if (fk.OnUpdate != ForeignKeyAction.NoAction) sb.Append(" ON UPDATE ").Append(fk.OnUpdate.Sql());
            if (fk.IsDeferrable) sb.Append(fk.IsInitiallyDeferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE INITIALLY IMMEDIATE");
            items.Add((sb.ToString(), null));
        }

        // Comments go inside the statement: SQLite keeps its text in sqlite_schema, so they survive in D1.
        var text = new StringBuilder("CREATE TABLE ").Append(SqlQuote.Identifier(schema.Name)).Append(" (");
        AppendComment(text, d.Comment);
        for (var i = 0; i < items.Count; i++)
        {
            text.Append("\n  ").Append(items[i].Sql);
            if (i < items.Count - 1) text.Append(',');
            AppendComment(text, items[i].Comment);
        }
        return text.Append("\n)").ToString();
    }

    /// <summary>CREATE INDEX for each secondary index of the D1 definition (none without one).</summary>
    public static IReadOnlyList<D1SchemaStatement> CreateIndexes(TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var list = new List<D1SchemaStatement>();
        foreach (var ix in schema.Definition?.Indexes ?? [])
        {
            var sb = new StringBuilder(ix.IsUnique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ")
                .Append(SqlQuote.Identifier(ix.Name)).Append(" ON ").Append(SqlQuote.Identifier(schema.Name)).Append(" (");
            sb.AppendJoin(", ", ix.Keys.Select(k => (k.Column is not null ? SqlQuote.Identifier(k.Column) : "(" + k.Expression + ")") + (k.Descending ? " DESC" : "")));
            sb.Append(')');
            if (ix.Predicate is not null) sb.Append(" WHERE ").Append(ix.Predicate);
            list.Add(new D1SchemaStatement(schema.Name, "Index", ix.Name, sb.ToString()));
        }
        return list;
    }

    /// <summary>The statements for a set of D1 tables in load order: every CREATE TABLE, then every CREATE INDEX.</summary>
    public static IReadOnlyList<D1SchemaStatement> Statements(IEnumerable<TableSchema> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var list = tables.ToList();
        return [.. list.Select(t => new D1SchemaStatement(t.Name, "Table", t.Name, CreateTable(t))), .. list.SelectMany(CreateIndexes)];
    }

    /// <summary>
    /// A whole migration as a SQL file <c>wrangler d1 migrations apply</c> and <c>wrangler d1
    /// execute --file</c> accept: the warnings as comments first, then each statement.
    /// </summary>
    public static string Script(IEnumerable<D1SchemaStatement> statements, IEnumerable<SchemaWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(warnings);
        var sb = new StringBuilder("-- D1 schema generated from the PostgreSQL catalog by the Migration module.\n");
        foreach (var w in warnings)
            foreach (var line in w.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r'))
                sb.Append("-- warning: ").Append(line).Append('\n');
        foreach (var s in statements)
            sb.Append('\n').Append(s.Sql).Append(";\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes <paramref name="script"/> as the next numbered migration in <paramref name="directory"/>
    /// (<c>NNNN_name.sql</c>, one past the highest number there, as wrangler numbers them) and returns its path.
    /// </summary>
    public static string WriteMigration(string directory, string name, string script)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(script);
        Directory.CreateDirectory(directory);
        var next = 1;
        foreach (var f in Directory.GetFiles(directory, "*.sql"))
        {
            var m = NumberPrefix().Match(Path.GetFileName(f));
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= next) next = n + 1;
        }
        var clean = CleanName().Replace(name.Trim(), "_").Trim('_');
        if (clean.Length == 0) throw new ArgumentException($"The migration name \"{name}\" has no letters or digits.", nameof(name));
        var path = Path.Combine(directory, next.ToString("0000", CultureInfo.InvariantCulture) + "_" + clean + ".sql");
        // FileMode.CreateNew: never overwrite a migration someone else just wrote.
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(script);
        return path;
    }

    [GeneratedRegex(@"^(\d+)_", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPrefix();

    [GeneratedRegex(@"[^A-Za-z0-9_-]+", RegexOptions.CultureInvariant)]
    private static partial Regex CleanName();

    static string Constraint(string? name) => name is null ? "" : "CONSTRAINT " + SqlQuote.Identifier(name) + " ";

    static string Names(IEnumerable<string> names) => SqlQuote.Identifiers(names);

    /// <summary>A comment as <c>-- ...</c> lines; line breaks in it start new comment lines, so it can never end the comment early.</summary>
    static void AppendComment(StringBuilder sb, string? comment)
    {
        if (string.IsNullOrEmpty(comment)) return;
        var lines = comment.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r');
        sb.Append(" -- ").Append(lines[0]);
        for (var i = 1; i < lines.Length; i++) sb.Append("\n  -- ").Append(lines[i]);
    }
}
