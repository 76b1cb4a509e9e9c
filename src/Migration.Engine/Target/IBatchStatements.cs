namespace Migration.Engine.Target;

/// <summary>
/// The journal's part of one batch: statements that commit together with the batch's rows, or
/// not at all. A local SQLite file runs each at once inside the batch's open transaction
/// (<see cref="SqliteBatchStatements"/>); a remote D1 would add them to the batch's one HTTP
/// request (which succeeds or fails as a whole); a <c>.sql</c> file would write them inside the
/// batch's BEGIN ... COMMIT. Only writes: what the journal must know it reads before the batch,
/// since a request that is still being assembled cannot answer a query.
/// </summary>
public interface IBatchStatements
{
    /// <summary>Adds one statement; <paramref name="parameters"/> are named <c>$name</c> in the SQL (null is SQL NULL).</summary>
    void Execute(string sql, params (string Name, object? Value)[] parameters);
}
