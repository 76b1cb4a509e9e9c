using Migration.Engine.Cloudflare;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// A remote D1's <see cref="IBatchStatements"/>: the statements are collected and go in the
/// batch's one <c>/query</c> request (<c>{batch:[...]}</c>, one transaction), after its rows.
/// </summary>
internal sealed class D1BatchStatements : IBatchStatements
{
    public List<D1Statement> Statements { get; } = [];

    public void Execute(string sql, params (string Name, object? Value)[] parameters) =>
        Statements.Add(D1NamedStatement.From(sql, parameters));
}
