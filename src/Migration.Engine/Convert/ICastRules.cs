using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// The cast rules of one direction (source kind -> target kind), after pgloader's one
/// <c>*-cast-rules.lisp</c> per source: how each source column's values convert and what the
/// target column is. PostgreSQL -> D1 is <see cref="PgToD1CastRules"/>; another direction is one
/// more class beside it, registered in <see cref="CastRuleTable"/>.
/// </summary>
internal interface ICastRules
{
    SchemaKind Source { get; }
    SchemaKind Target { get; }

    /// <summary>The converter of one source column's values, holding that column's settings.</summary>
    ValueConverter For(Column source, ColumnSettings settings);

    /// <summary>The target column a source column becomes under <paramref name="name"/>, given its converter.</summary>
    Column TargetColumn(Column source, string name, ValueConverter converter);
}
