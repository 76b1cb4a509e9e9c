namespace Migration.Engine.Schema;

/// <summary>What the values of a row of this schema are.</summary>
public enum SchemaKind
{
    /// <summary>Values as read from Postgres (see <see cref="PgTypeFamily"/> for the CLR types).</summary>
    Postgres,
    /// <summary>Converted values ready for D1: long, double, string, byte[] or null.</summary>
    D1,
}
