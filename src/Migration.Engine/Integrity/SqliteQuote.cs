namespace Migration.Engine.Integrity;

/// <summary>Identifier quoting for the SQL the checks run against the target; values are always bound.</summary>
static class SqliteQuote
{
    public static string Id(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Ids(IEnumerable<string> names) => string.Join(", ", names.Select(Id));
}
