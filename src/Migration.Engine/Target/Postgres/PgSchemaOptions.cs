using Migration.Engine.Convert;

namespace Migration.Engine.Target.Postgres;

/// <summary>How much of the data Export-PgSchema reads to decide column types.</summary>
public enum ValueScan
{
    /// <summary>Declared types only (pgloader's way): nothing is read; a value the type cannot take is refused at load.</summary>
    None,
    /// <summary>The first <see cref="PgSchemaOptions.SampleSize"/> rows of each table, in key order.</summary>
    Sample,
    /// <summary>Every row (one read of each table).</summary>
    Full,
}

/// <summary>The options of Export-PgSchema (<see cref="PgSchemaBuilder"/>).</summary>
public sealed class PgSchemaOptions
{
    /// <summary>The renames ConvertTo-PgRow will apply (-TableMap, -ColumnMap, -ColumnNaming, -Exclude): the DDL uses the same names.</summary>
    public PgConversionOptions Conversion { get; init; } = PgConversionOptions.Default;

    /// <summary>Import-PgTable will run with -IdMap Generate/Deterministic: a one-column TEXT primary key (and the foreign keys to it) becomes uuid whatever it holds.</summary>
    public bool IdMap { get; init; }

    /// <summary><c>table.column</c> (D1 names) -> a Postgres type name (<see cref="Convert.D1ToPg.PgSchemaCastRules.Parse"/>): the user's decision, which wins over every rule.</summary>
    public IReadOnlyDictionary<string, string> ColumnTypes { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>d1table.pgcolumn</c> -> a Postgres type name: the columns ConvertTo-PgRow -ComputedColumn
    /// will fill (keyed as it keys them), created nullable with that type; one that has the name of
    /// a mapped D1 column replaces it.
    /// </summary>
    public IReadOnlyDictionary<string, string> ComputedColumnTypes { get; init; } = new Dictionary<string, string>();

    public ValueScan Scan { get; init; } = ValueScan.Full;

    /// <summary>Rows per table read under <see cref="ValueScan.Sample"/>.</summary>
    public int SampleSize { get; init; } = 1000;
}
