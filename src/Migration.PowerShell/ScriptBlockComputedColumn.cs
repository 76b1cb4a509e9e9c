using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Schema;

namespace Migration.PowerShell;

/// <summary>
/// A -ComputedColumn scriptblock as the engine's <see cref="ComputedColumn"/>: the block runs with
/// <c>$_</c> set to the source row and must output one value. A failure or a wrong number of
/// values is a <see cref="ConversionException"/>, so the row is reported and the others go on.
/// The engine calls it from inside ConvertTo-D1Row's ProcessRecord, on the pipeline thread that
/// owns the runspace, which is the only thread a scriptblock may run on.
/// </summary>
public static class ScriptBlockComputedColumn
{
    public static ComputedColumn Create(string table, string column, D1Type type, ScriptBlock expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new ComputedColumn(table, column, type, row => Invoke(expression, column, row));
    }

    static object? Invoke(ScriptBlock expression, string column, Row row)
    {
        System.Collections.ObjectModel.Collection<PSObject> output;
        try
        {
            // PowerShell takes a variable named "_" in this list as $_ for the block.
            output = expression.InvokeWithContext(null, new List<PSVariable> { new("_", row) });
        }
        catch (RuntimeException ex)
        {
            throw Fail(row, column, $"the -ComputedColumn expression failed: {ex.Message}");
        }
        return output.Count switch
        {
            0 => null,
            1 => PSObjectAdapter.Unwrap(output[0]),
            _ => throw Fail(row, column, $"the -ComputedColumn expression output {output.Count} values; it must output one"),
        };
    }

    static ConversionException Fail(Row row, string column, string reason) =>
        new(row.GetSchema().Name, row.DescribeKey(), column, ValueExcerpt.Of(null), reason);
}
