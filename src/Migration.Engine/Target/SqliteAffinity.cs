namespace Migration.Engine.Target;

/// <summary>
/// SQLite's column affinity, derived from a declared type by the rules of
/// sqlite.org/datatype3.html §3.1 (checked in this order: INT, CHAR/CLOB/TEXT, BLOB or no type,
/// REAL/FLOA/DOUB, otherwise NUMERIC). Affinity decides how SQLite converts a value on insert,
/// so it decides whether a value could change silently.
/// </summary>
internal enum SqliteAffinity
{
    Integer,
    Text,
    /// <summary>Declared BLOB or no type at all: values are stored exactly as given.</summary>
    Blob,
    Real,
    Numeric,
}

internal static class SqliteAffinityRules
{
    public static SqliteAffinity Of(string declaredType)
    {
        var t = declaredType.ToUpperInvariant();
        if (t.Contains("INT", StringComparison.Ordinal)) return SqliteAffinity.Integer;
        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal))
            return SqliteAffinity.Text;
        if (t.Length == 0 || t.Contains("BLOB", StringComparison.Ordinal)) return SqliteAffinity.Blob;
        if (t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal))
            return SqliteAffinity.Real;
        return SqliteAffinity.Numeric;
    }
}
