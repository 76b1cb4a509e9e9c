using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// Multi-row INSERTs for a remote D1, filled to D1's limits: at most 100 bound parameters and
/// 100,000 bytes of SQL per statement. The statement text is the local target's
/// (<see cref="SqliteSql.Insert"/>: the same -OnConflict semantics) with one <c>(...)</c> per
/// row; every value is a bound parameter behind the placeholder that keeps it exact over JSON
/// (<see cref="D1Parameter"/>), so a row of up to D1's 2,000,000 bytes fits a statement whose
/// SQL stays small.
/// </summary>
internal sealed class RemoteInsert
{
    readonly string _prefix;
    readonly string _suffix;
    readonly int _columns;
    readonly int _maxParameters;
    readonly int _maxSqlBytes;

    public RemoteInsert(TableBinding binding, D1Limits limits)
    {
        _columns = binding.Schema.Columns.Count;
        var values = "(" + string.Join(", ", Enumerable.Range(0, _columns).Select(SqliteSql.Parameter)) + ")";
        var at = binding.InsertSql.IndexOf(values, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("The INSERT has no VALUES list to repeat.");
        _prefix = binding.InsertSql[..at];
        _suffix = binding.InsertSql[(at + values.Length)..];
        _maxParameters = Math.Min(limits.MaxBoundParameters, D1Statement.MaxParameters);
        _maxSqlBytes = Math.Min(limits.MaxStatementBytes, D1Statement.MaxSqlBytes);
    }

    /// <summary>Rows per statement that the parameter limit allows (at least one: a table has at most 100 columns).</summary>
    public int RowsPerStatement => Math.Max(1, _maxParameters / _columns);

    /// <summary>The rows one of <see cref="Statements"/> inserts (every value is a bound parameter).</summary>
    public int RowsIn(D1Statement statement) => statement.Parameters.Count / _columns;

    /// <summary>The statements that insert <paramref name="rows"/>, in order.</summary>
    public List<D1Statement> Statements(IReadOnlyList<Row> rows)
    {
        var statements = new List<D1Statement>();
        var sql = new StringBuilder();
        var parameters = new List<D1Parameter>();
        var rowsIn = 0;
        foreach (var row in rows)
        {
            var values = row.GetValues();
            var tuple = new StringBuilder("(");
            var bound = new D1Parameter[_columns];
            for (var i = 0; i < _columns; i++)
            {
                bound[i] = D1Parameter.From(values[i]);
                if (i > 0) tuple.Append(", ");
                tuple.Append(bound[i].Placeholder);
            }
            tuple.Append(')');
            var bytes = Encoding.UTF8.GetByteCount(_prefix) + Encoding.UTF8.GetByteCount(_suffix);
            var full = rowsIn > 0 && (rowsIn + 1 > RowsPerStatement
                || bytes + Encoding.UTF8.GetByteCount(sql.ToString()) + 2 + tuple.Length > _maxSqlBytes);
            if (full) Close();
            if (rowsIn > 0) sql.Append(", ");
            sql.Append(tuple);
            parameters.AddRange(bound);
            rowsIn++;
        }
        if (rowsIn > 0) Close();
        return statements;

        void Close()
        {
            statements.Add(new D1Statement(_prefix + sql + _suffix, [.. parameters]));
            sql.Clear();
            parameters.Clear();
            rowsIn = 0;
        }
    }
}
