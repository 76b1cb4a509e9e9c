using Migration.Engine.Cloudflare;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Tests.Infrastructure;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>
/// What the remote D1 tests share: the API test server's database emptied before and after each
/// test (faults cleared), a client, the database as a target, and an observer that keeps what a
/// session reports.
/// </summary>
public abstract class RemoteD1TestBase : IDisposable
{
    protected RemoteD1TestBase(CloudflareApiServer server)
    {
        Server = server;
        server.ResetDatabase(CloudflareApiServer.Database);
        Api = server.Client(onRequest: r => { lock (Requests) Requests.Add(r); });
    }

    /// <summary>Every request <see cref="Api"/> made (lock it to read).</summary>
    protected List<CloudflareRequestInfo> Requests { get; } = [];

    protected CloudflareApiServer Server { get; }

    protected CloudflareApiClient Api { get; }

    public void Dispose()
    {
        Server.ClearFaults();
        Server.ResetDatabase(CloudflareApiServer.Database);
        Api.Dispose();
    }

    protected RemoteD1Database Database(CloudflareApiClient? api = null)
    {
        api ??= Api;
        return new(api, api.ResolveD1DatabaseAsync(CloudflareApiServer.Database).GetAwaiter().GetResult());
    }

    /// <summary>The test database through <see cref="Api"/>.</summary>
    protected D1DatabaseClient Client() => Api.D1(Server.DatabaseUuids[CloudflareApiServer.Database]);

    /// <summary>The rows of a query through /raw (<paramref name="exact"/>: columns projected with <c>D1ExactRead.Column</c>).</summary>
    protected async Task<List<object?[]>> Rows(string sql, bool exact = false) => (await Client().RawAsync(new D1Statement(sql)))[0].DecodeRows(exact).ToList();

    /// <summary>Requests of <see cref="Api"/> whose operation ends with <paramref name="operation"/> (e.g. "/import").</summary>
    protected int Count(string operation)
    {
        lock (Requests) return Requests.Count(r => r.Operation.EndsWith(operation, StringComparison.Ordinal));
    }

    protected Task<string> Fingerprint(string table, params string[] columns) => Fingerprint(Api, table, columns);

    /// <summary>A remote table's whole content as one text: every row's rowid and each value's storage class and exact payload, in rowid order.</summary>
    protected async Task<string> Fingerprint(CloudflareApiClient api, string table, params string[] columns)
    {
        var values = string.Join(" || '|' || ", columns.Select(c =>
            $"typeof({c}) || ':' || coalesce(CASE typeof({c}) WHEN 'blob' THEN hex({c}) WHEN 'real' THEN printf('%!.17g', {c}) WHEN 'text' THEN hex({c}) ELSE {c} END, '')"));
        var db = api.D1(Server.DatabaseUuids[CloudflareApiServer.Database]);
        var result = await db.RawAsync(new D1Statement($"SELECT count(*) || '#' || coalesce(group_concat(v, char(10)), '') FROM (SELECT rowid || '=' || {values} AS v FROM {table} ORDER BY rowid)"));
        return (string)result[0].DecodeRows(false)[0][0]!;
    }

    protected sealed class Report : IMigrationObserver
    {
        public List<RowError> Errors { get; } = [];
        public List<Migration.Engine.Preflight.TableRefusedException> Refused { get; } = [];
        public void TableRefused(Migration.Engine.Preflight.TableRefusedException refusal) => Refused.Add(refusal);
        public long Written { get; set; }
        public long Skipped { get; set; }
        public List<string> VerboseLines { get; } = [];
        public void RowFailed(RowError error) => Errors.Add(error);
        public void BatchCommitted(BatchResult batch) { Written += batch.RowsWritten; Skipped += batch.RowsSkipped; }
        public void Verbose(string message) => VerboseLines.Add(message);
        public List<TargetProgress> Progress { get; } = [];
        public void TargetProgress(TargetProgress progress) => Progress.Add(progress);
    }

    /// <summary>One session that pushes <paramref name="rows"/> into <paramref name="database"/> and completes it.</summary>
    protected static Report Load(ITargetDatabase database, SessionOptions options, IEnumerable<Row> rows)
    {
        var report = new Report();
        using var session = new MigrationSession(database, options, report);
        session.Start();
        foreach (var row in rows) session.Add(row);
        session.Complete();
        return report;
    }
}
