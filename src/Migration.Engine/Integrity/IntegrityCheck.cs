namespace Migration.Engine.Integrity;

/// <summary>The checks Test-MigrationIntegrity runs; combine them as flags. Results come in this order per table.</summary>
[Flags]
public enum IntegrityCheck
{
    None = 0,
    /// <summary>Each expected table, column and index exists in the target (indexes matched by columns and uniqueness, not by name).</summary>
    Schema = 1,
    /// <summary>Row count per table, source vs target.</summary>
    RowCount = 2,
    /// <summary>Order-independent content hash over the converted values; narrows a difference down to keys and columns.</summary>
    Checksum = 4,
    /// <summary>Random source rows compared with the target field by field, by primary key.</summary>
    Sample = 8,
    /// <summary><c>PRAGMA foreign_key_check</c> on the target: orphans per foreign key.</summary>
    ForeignKeys = 16,
    /// <summary>Every JSON-mapped column (json, jsonb, arrays) holds text that passes <c>json_valid</c>.</summary>
    Json = 32,
    /// <summary>Booleans hold 0/1, enum columns hold one of their labels, NOT NULL columns hold no NULL.</summary>
    Domain = 64,
    /// <summary>No duplicates on the primary key and the source's unique keys.</summary>
    Unique = 128,
    All = Schema | RowCount | Checksum | Sample | ForeignKeys | Json | Domain | Unique,
}

/// <summary>Which way a migration went (Test-MigrationIntegrity -Direction).</summary>
public enum MigrationDirection
{
    /// <summary>PostgreSQL is the source, a D1 file the target.</summary>
    PostgresToD1,
    /// <summary>A D1 file is the source, PostgreSQL the target.</summary>
    D1ToPostgres,
}
