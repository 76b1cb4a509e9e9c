namespace Migration.Engine.Schema;

/// <summary>
/// The storage classes D1 (SQLite) has; a D1 column is declared with exactly one of them.
/// A converted value is <c>long</c>, <c>double</c>, <c>string</c>, <c>byte[]</c> or <c>null</c>.
/// </summary>
public enum D1Type
{
    Integer,
    Real,
    Text,
    Blob,
}
