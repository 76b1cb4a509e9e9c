using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Which cast rules convert from one schema kind to another: one registration per direction.
/// PostgreSQL -> D1 and D1 -> PostgreSQL (whose converters take the existing Postgres column's
/// type from the catalog: <see cref="D1ToPgCastRules"/>).
/// </summary>
internal static class CastRuleTable
{
    static readonly Dictionary<(SchemaKind Source, SchemaKind Target), ICastRules> Directions = new()
    {
        [(SchemaKind.Postgres, SchemaKind.D1)] = PgToD1CastRules.Instance,
        [(SchemaKind.D1, SchemaKind.Postgres)] = D1ToPgCastRules.Instance,
    };

    public static ICastRules For(SchemaKind source, SchemaKind target) =>
        Directions.TryGetValue((source, target), out var rules)
            ? rules
            : throw new NotSupportedException($"No cast rules convert {source} rows to {target}.");
}
