using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// The SQL text the SQLite target runs: CREATE TABLE from a D1 schema and
/// the INSERT statement for each <see cref="OnConflict"/> mode. Values are always parameters.
/// </summary>
internal static class SqliteSql
{
    public static string TypeName(D1Type type) => type switch
    {
        D1Type.Integer => "INTEGER",
        D1Type.Real => "REAL",
        D1Type.Text => "TEXT",
        D1Type.Blob => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a D1 type."),
    };

    /// <summary>
    /// <c>CREATE TABLE "t" ("c" TYPE [NOT NULL], ..., PRIMARY KEY (...))</c>. A single INTEGER
    /// key column is declared inline as <c>INTEGER PRIMARY KEY</c> so it is the rowid (as D1 and
    /// Django/Prisma schemas expect). Key columns are always NOT NULL: SQLite would otherwise let a
    /// non-integer key hold NULL. (An INTEGER PRIMARY KEY given NULL still gets a new rowid from
    /// SQLite despite NOT NULL, so the target refuses NULL in key columns before the write.)
    /// </summary>
    public static string CreateTable(TableSchema schema)
    {
        var rowidKey = schema.PrimaryKey.Count == 1 && schema.Columns[schema.PrimaryKey[0]].D1Type == D1Type.Integer
            ? schema.PrimaryKey[0]
            : -1;
        var sb = new StringBuilder("CREATE TABLE ").Append(SqlQuote.Identifier(schema.Name)).Append(" (");
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var c = schema.Columns[i];
            if (i > 0) sb.Append(", ");
            sb.Append(SqlQuote.Identifier(c.Name)).Append(' ').Append(TypeName(c.D1Type));
            if (!c.IsNullable || schema.PrimaryKey.Contains(i)) sb.Append(" NOT NULL");
            if (i == rowidKey) sb.Append(" PRIMARY KEY");
        }
        if (schema.HasPrimaryKey && rowidKey < 0)
        {
            sb.Append(", PRIMARY KEY (");
            for (var k = 0; k < schema.PrimaryKey.Count; k++)
            {
                if (k > 0) sb.Append(", ");
                sb.Append(SqlQuote.Identifier(schema.Columns[schema.PrimaryKey[k]].Name));
            }
            sb.Append(')');
        }
        return sb.Append(')').ToString();
    }

    /// <summary>The name of the i-th value parameter of an INSERT.</summary>
    public static string Parameter(int i) => "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The INSERT for one row. Ignore uses <c>ON CONFLICT DO NOTHING</c> rather than
    /// <c>INSERT OR IGNORE</c>: both skip a row whose key already exists, but OR IGNORE also
    /// silently drops rows that break NOT NULL or CHECK constraints, which must fail loudly.
    /// </summary>
    public static string Insert(string table, IReadOnlyList<string> columns, OnConflict mode, IReadOnlyList<string> conflictKey)
    {
        var sb = new StringBuilder(mode == OnConflict.Replace ? "INSERT OR REPLACE INTO " : "INSERT INTO ");
        sb.Append(SqlQuote.Identifier(table)).Append(" (");
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(SqlQuote.Identifier(columns[i]));
        }
        sb.Append(") VALUES (");
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Parameter(i));
        }
        sb.Append(')');

        if (mode == OnConflict.Ignore)
            sb.Append(" ON CONFLICT DO NOTHING");
        else if (mode == OnConflict.Upsert)
        {
            sb.Append(" ON CONFLICT (");
            for (var k = 0; k < conflictKey.Count; k++)
            {
                if (k > 0) sb.Append(", ");
                sb.Append(SqlQuote.Identifier(conflictKey[k]));
            }
            sb.Append(')');
            var updates = columns.Where(c => !conflictKey.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
            if (updates.Count == 0)
                sb.Append(" DO NOTHING"); // every column is key: an existing row already holds these values
            else
            {
                sb.Append(" DO UPDATE SET ");
                for (var i = 0; i < updates.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(SqlQuote.Identifier(updates[i])).Append(" = excluded.").Append(SqlQuote.Identifier(updates[i]));
                }
            }
        }
        return sb.ToString();
    }
}
