using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Postgres;

/// <summary>One statement of a generated Postgres schema, as Export-PgSchema emits it.</summary>
/// <param name="Table">The Postgres table the statement is about.</param>
/// <param name="Kind"><c>Table</c>, <c>Index</c>, <c>ForeignKey</c>, or <c>Sequence</c> (run after the load: an identity's sequence set past the largest id).</param>
/// <param name="Name">The table's, index's or constraint's name (the identity column's for a sequence).</param>
/// <param name="Sql">The statement, without a trailing semicolon.</param>
public sealed record PgSchemaStatement(string Table, string Kind, string Name, string Sql)
{
    public override string ToString() => Sql + ";";

    /// <summary>
    /// The statements as one script psql (<c>psql -v ON_ERROR_STOP=1 -f</c>) or any Postgres
    /// client runs in one transaction: the warnings as comments first, then each statement.
    /// </summary>
    public static string Script(IEnumerable<PgSchemaStatement> statements, IEnumerable<SchemaWarning> warnings, string header)
    {
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(header);
        var sb = new StringBuilder();
        foreach (var line in header.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
            sb.Append("-- ").Append(line).Append('\n');
        foreach (var w in warnings)
            foreach (var line in w.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r'))
                sb.Append("-- warning: ").Append(line).Append('\n');
        sb.Append("\nBEGIN;\n");
        foreach (var s in statements)
            sb.Append('\n').Append(s.Sql).Append(";\n");
        return sb.Append("\nCOMMIT;\n").ToString();
    }
}
