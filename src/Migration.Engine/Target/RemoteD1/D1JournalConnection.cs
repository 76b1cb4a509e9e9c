using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// The journal of a remote D1 database, kept in that database (as locally: it commits with the
/// data). Reads go through <c>/raw</c> (retried when they fail: they change nothing); a
/// <see cref="Write"/> is one <c>/query</c> batch, one transaction, sent once: if its outcome is
/// unknown the <see cref="AmbiguousWriteException"/> reaches the caller, who knows what proves it.
/// Values come back through <see cref="D1JsonValue.Decode"/>: the journal's integers are small
/// (ids, counts), and one beyond 2^53 would be refused rather than rounded.
/// </summary>
public sealed class D1JournalConnection(D1DatabaseClient client, string location) : IJournalConnection
{
    public D1DatabaseClient Client { get; } = client ?? throw new ArgumentNullException(nameof(client));

    public string Location { get; } = location ?? throw new ArgumentNullException(nameof(location));

    public IReadOnlyList<object?[]> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        var result = Client.RawAsync(D1NamedStatement.From(sql, parameters), RetrySafety.Read).GetAwaiter().GetResult();
        return result.Count == 0 ? [] : result[^1].DecodeRows(exactProjection: false);
    }

    public void Write(Action<IBatchStatements> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var statements = new D1BatchStatements();
        write(statements);
        if (statements.Statements.Count > 0)
            Client.QueryBatchAsync(statements.Statements, RetrySafety.Write).GetAwaiter().GetResult();
    }

    public T Atomically<T>(Func<T> work) => (work ?? throw new ArgumentNullException(nameof(work)))();

    public void Dispose() { }
}
