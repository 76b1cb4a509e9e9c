namespace Migration.Engine.Source.Kv;

/// <summary>
/// Where KV entries come from: the API (<see cref="KvApiReader"/>), the state wrangler keeps for
/// <c>--local</c> (<see cref="KvLocalStateReader"/>) or a JSON dump (<see cref="KvDumpReader"/>).
/// Every reader yields keys in KV's order (<see cref="KvKeyOrder"/>), lazily, so a resume can
/// start after a key and a large namespace is never held in memory.
/// </summary>
public interface IKvReader : IDisposable
{
    /// <summary>What is read, for messages and the journal (a namespace id, a file).</summary>
    string Description { get; }

    IEnumerable<KvRecord> Read(KvReadOptions options, CancellationToken cancellationToken = default);
}
