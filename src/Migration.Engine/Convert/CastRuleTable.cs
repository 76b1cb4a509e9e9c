using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Which cast rules convert from one schema kind to another: one registration per direction.
/// Only PostgreSQL -> D1 exists today; D1 -> PostgreSQL (issue 12) adds its rules file and one
/// line here.
/// </summary>
internal static class CastRuleTable
{
    static readonly Dictionary<(SchemaKind Source, SchemaKind Target), ICastRules> Directions = new()
    {
        [(SchemaKind.Postgres, SchemaKind.D1)] = PgToD1CastRules.Instance,
    };

    public static ICastRules For(SchemaKind source, SchemaKind target) =>
        Directions.TryGetValue((source, target), out var rules)
            ? rules
            : throw new NotSupportedException($"No cast rules convert {source} rows to {target}.");
}
