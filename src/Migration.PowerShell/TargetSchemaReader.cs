using System.Reflection;
using System.Runtime.ExceptionServices;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.PowerShell;

/// <summary>
/// Reads the schema of a table that already exists in a D1 file, so plain objects are coerced
/// to its column types (ConvertTo-D1Row -TargetPath, Import-D1Batch into an existing file).
/// The one place the cmdlets reach <c>SqliteTarget.ReadTableSchema</c>: it is looked up by name
/// because the target engine adds it in a separate change; once both are merged this body can
/// become a direct call.
/// </summary>
public static class TargetSchemaReader
{
    static readonly MethodInfo? ReadMethod = typeof(SqliteTarget).GetMethod(
        "ReadTableSchema", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(string)]);

    /// <summary>The table's schema, or null when the file or the table does not exist.</summary>
    public static TableSchema? Read(string path, string table)
    {
        if (!File.Exists(path)) return null;
        if (ReadMethod is null)
            throw new NotSupportedException("This build of Migration.Engine cannot read an existing D1 table's schema (SqliteTarget.ReadTableSchema is missing).");
        try
        {
            return (TableSchema?)ReadMethod.Invoke(null, [path, table]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
