using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// A table's multi-row INSERT with its values as SQL literals (<see cref="SqlQuote.Value"/>), for
/// SQL that cannot bind parameters: a <c>.sql</c> file for <c>wrangler d1 execute --file</c> and
/// a chunk sent through D1's import API. The statement text is the local target's
/// (<see cref="TableBinding.InsertSql"/>: the same -OnConflict semantics) with one <c>(...)</c>
/// per row between <see cref="Prefix"/> and <see cref="Suffix"/>.
/// </summary>
internal sealed class LiteralInsert
{
    readonly TableBinding _binding;

    public LiteralInsert(TableBinding binding)
    {
        _binding = binding;
        var placeholders = "(" + string.Join(", ", Enumerable.Range(0, binding.Schema.Columns.Count).Select(SqliteSql.Parameter)) + ")";
        var at = binding.InsertSql.IndexOf(placeholders, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("The INSERT has no VALUES list to repeat.");
        Prefix = binding.InsertSql[..at];
        Suffix = binding.InsertSql[(at + placeholders.Length)..];
        FixedBytes = Encoding.UTF8.GetByteCount(Prefix) + Encoding.UTF8.GetByteCount(Suffix) + 1; // + the ';'
    }

    /// <summary><c>INSERT INTO "t" ("a", "b") VALUES </c>: the text before the rows.</summary>
    public string Prefix { get; }

    /// <summary>What follows the rows (an ON CONFLICT clause, or nothing).</summary>
    public string Suffix { get; }

    /// <summary>The statement's bytes without any row (UTF-8, with its closing <c>;</c>).</summary>
    public long FixedBytes { get; }

    /// <summary><c>(v1, v2, ...)</c> as literals; null with the error (table, key, column, value) when a value has no exact literal.</summary>
    public string? Tuple(Row row, out RowError? error)
    {
        var values = row.GetValues();
        var sb = new StringBuilder("(");
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            try { sb.Append(SqlQuote.Value(values[i])); }
            catch (ArgumentException ex)
            {
                error = new RowError(_binding.Table, row.DescribeKey(), _binding.Schema.Columns[i].Name, ex.Message, ValueExcerpt.Of(values[i]));
                return null;
            }
        }
        error = null;
        return sb.Append(')').ToString();
    }
}
