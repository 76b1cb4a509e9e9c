using System.Globalization;
using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.Cloudflare;

/// <summary>The D1 operations against the real API server: lookup, query, batch, raw, import, export, Time Travel.</summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class CloudflareD1OperationTests(CloudflareApiServer server) : IDisposable
{
    readonly CloudflareApiClient _api = server.Client();

    D1DatabaseClient Db2 => _api.D1(server.DatabaseUuids[CloudflareApiServer.Database2]);

    static string NewTable() => "t_" + Guid.NewGuid().ToString("N")[..10];

    async Task<long> Count(D1DatabaseClient db, string table) =>
        (long)D1JsonValue.Decode((await db.RawAsync(new D1Statement($"SELECT count(*) FROM \"{table}\"")))[0].Rows[0][0])!;

    [Fact]
    public async Task A_database_resolves_by_name_or_UUID_as_wrangler_does_and_an_unknown_name_is_a_clear_error()
    {
        var uuid = server.DatabaseUuids[CloudflareApiServer.Database];
        var byName = await _api.ResolveD1DatabaseAsync(CloudflareApiServer.Database);
        var byId = await _api.ResolveD1DatabaseAsync(uuid);
        Assert.Equal((uuid, CloudflareApiServer.Database), (byName.Uuid, byName.Name));
        Assert.Equal((uuid, CloudflareApiServer.Database, "production"), (byId.Uuid, byId.Name, byId.Version));
        var all = await _api.ListD1DatabasesAsync();
        Assert.Contains(all, d => d.Name == CloudflareApiServer.Database2);

        var unknown = await Assert.ThrowsAsync<CloudflareNotFoundException>(() => _api.ResolveD1DatabaseAsync("no_such_db"));
        Assert.Contains("no_such_db", unknown.Message, StringComparison.Ordinal);
        var unknownId = await Assert.ThrowsAsync<CloudflareNotFoundException>(() => _api.ResolveD1DatabaseAsync(Guid.NewGuid().ToString()));
        Assert.Equal(7404, unknownId.Code);
        Assert.DoesNotContain(server.Token, unknownId.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrangler_config_binding_leads_to_its_database_by_id_or_by_name()
    {
        var dir = Directory.CreateTempSubdirectory("cf-config-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "wrangler.toml"), $"""
                name = "app"
                [[d1_databases]]
                binding = "DB"
                database_name = "{CloudflareApiServer.Database2}"
                """);
            var config = WranglerConfig.Load(dir.FullName);
            var db = await _api.D1Async(config.D1("DB"));
            Assert.Equal(server.DatabaseUuids[CloudflareApiServer.Database2], db.DatabaseId);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_batch_is_one_transaction_a_failing_statement_rolls_back_the_others_and_names_the_SQL_error()
    {
        var t = NewTable();
        await Db2.QueryAsync(new D1Statement($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"), RetrySafety.IdempotentWrite);
        var ok = await Db2.QueryBatchAsync([D1Statement.Of($"INSERT INTO \"{t}\" VALUES ({{0}}, {{1}})", 1, "a"), D1Statement.Of($"INSERT INTO \"{t}\" VALUES ({{0}}, {{1}})", 2, "b")], RetrySafety.Write);
        Assert.Equal(2, ok.Count);
        Assert.Equal(1, ok[1].Meta.Changes);
        Assert.True(ok[1].Meta.ChangedDb);

        var failed = await Assert.ThrowsAsync<D1SqlException>(() => Db2.QueryBatchAsync(
            [D1Statement.Of($"INSERT INTO \"{t}\" VALUES ({{0}}, {{1}})", 3, "c"), D1Statement.Of($"INSERT INTO \"{t}\" VALUES ({{0}}, {{1}})", 1, "dup")], RetrySafety.Write));
        Assert.Equal(7500, failed.Code);
        Assert.Contains("UNIQUE constraint failed", failed.Message, StringComparison.Ordinal);
        Assert.Equal(2, await Count(Db2, t));

        var rows = await Db2.QueryAsync(new D1Statement($"SELECT id, v FROM \"{t}\" ORDER BY id"), RetrySafety.Read);
        Assert.Equal(["a", "b"], rows[0].Rows.Select(r => r["v"].GetString()));
    }

    [Fact]
    public async Task Parameters_with_several_statements_are_refused_as_malformed_before_anything_runs()
    {
        var e = await Assert.ThrowsAsync<CloudflareApiException>(() => Db2.QueryAsync(D1Statement.Of("SELECT {0}; SELECT 2", 1), RetrySafety.Read));
        Assert.Equal(7400, e.Code);
        Assert.Equal(400, e.HttpStatus);
        Assert.Contains("params with multiple statements", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_keeps_duplicate_column_names_and_pages_by_key()
    {
        var t = NewTable();
        await Db2.QueryAsync(new D1Statement($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY, v TEXT)"), RetrySafety.IdempotentWrite);
        await Db2.QueryBatchAsync(Enumerable.Range(1, 25).Select(i => D1Statement.Of($"INSERT INTO \"{t}\" VALUES ({{0}}, {{1}})", i, "v" + i)).ToList(), RetrySafety.Write);

        var dup = await Db2.RawAsync(new D1Statement($"SELECT v, v FROM \"{t}\" WHERE id = 1"));
        Assert.Equal(["v", "v"], dup[0].Columns);

        var seen = new List<long>();
        long last = 0;
        while (true)
        {
            var page = await Db2.RawAsync(D1Statement.Of($"SELECT {D1ExactRead.Column("id")}, {D1ExactRead.Column("v")} FROM \"{t}\" WHERE id > {{0}} ORDER BY id LIMIT 10", last));
            var rows = page[0].DecodeRows(exactProjection: true);
            if (rows.Count == 0) break;
            seen.AddRange(rows.Select(r => (long)r[0]!));
            last = (long)rows[^1][0]!;
            Assert.Equal("v" + last, rows[^1][1]);
        }
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Import_uploads_ingests_and_polls_reporting_the_servers_messages()
    {
        var t = NewTable();
        var sql = new StringBuilder($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY, v TEXT);\n");
        for (var i = 1; i <= 500; i++) sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO \"{t}\" VALUES ({i}, 'row {i}');\n");
        server.SetFaults(new { import_polls = 2, rules = Array.Empty<object>() });
        try
        {
            var progress = new List<D1ImportProgress>();
            var result = await Db2.ImportAsync(Encoding.UTF8.GetBytes(sql.ToString()), progress.Add);
            Assert.Equal(501, result.NumQueries);
            Assert.False(string.IsNullOrEmpty(result.FinalBookmark));
            Assert.Equal(500, await Count(Db2, t));
            Assert.Contains(progress, p => p.Stage == "upload");
            // import_polls = 2: the server answers "active" to the ingest and two polls, then the result.
            Assert.Equal(2, progress.Count(p => p.Stage == "poll" && p.Status == "active"));
            Assert.Equal("complete", progress[^1].Status);
            Assert.Contains(result.Messages, m => m.Contains("Processed 501 queries", StringComparison.Ordinal));
        }
        finally
        {
            server.ClearFaults();
        }
    }

    [Fact]
    public async Task A_failing_import_is_reverted_whole_and_says_why()
    {
        var t = NewTable();
        await Db2.QueryAsync(new D1Statement($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY)"), RetrySafety.IdempotentWrite);
        var sql = $"INSERT INTO \"{t}\" VALUES (1);\nINSERT INTO \"{t}\" VALUES (2);\nINSERT INTO \"{t}\" VALUES (1);\n";
        var e = await Assert.ThrowsAsync<D1ImportFailedException>(() => Db2.ImportAsync(Encoding.UTF8.GetBytes(sql)));
        Assert.Contains("UNIQUE constraint failed", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Count(Db2, t));
    }

    [Fact]
    public async Task Export_downloads_the_dump_with_schema_and_rows()
    {
        var t = NewTable();
        await Db2.QueryBatchAsync([new D1Statement($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY, v TEXT)"), D1Statement.Of($"INSERT INTO \"{t}\" VALUES (7, {{0}})", "seven")], RetrySafety.Write);
        using var dump = new MemoryStream();
        var result = await Db2.ExportAsync(dump, new D1ExportOptions(Tables: [t]));
        var text = Encoding.UTF8.GetString(dump.ToArray());
        Assert.Equal(dump.Length, result.Bytes);
        Assert.Contains("CREATE TABLE", text, StringComparison.Ordinal);
        Assert.Contains(t, text, StringComparison.Ordinal);
        Assert.Contains("'seven'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Time_Travel_restores_a_bookmark_and_the_previous_bookmark_undoes_the_restore()
    {
        var t = NewTable();
        await Db2.QueryBatchAsync([new D1Statement($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY)"), new D1Statement($"INSERT INTO \"{t}\" VALUES (1)")], RetrySafety.Write);
        var before = await _api.D1(Db2.DatabaseId).GetBookmarkAsync();
        await Db2.QueryAsync(new D1Statement($"INSERT INTO \"{t}\" VALUES (2)"), RetrySafety.Write);
        Assert.Equal(2, await Count(Db2, t));

        var restored = await Db2.RestoreAsync(before);
        Assert.Equal(before, restored.Bookmark);
        Assert.Equal(1, await Count(Db2, t));
        Assert.NotNull(restored.PreviousBookmark);

        await Db2.RestoreAsync(restored.PreviousBookmark!);
        Assert.Equal(2, await Count(Db2, t));
    }

    /// <summary>Records each request's URL and whether it carried an Authorization header.</summary>
    sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public readonly List<(string Path, bool Authorized)> Seen = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Seen) Seen.Add((request.RequestUri!.AbsolutePath, request.Headers.Authorization is not null));
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task The_token_goes_only_to_the_API_never_to_the_presigned_upload_and_download_URLs()
    {
        var recorder = new RecordingHandler();
        using var api = new CloudflareApiClient(server.Settings(), recorder);
        var db = api.D1(Db2.DatabaseId);
        var t = NewTable();
        await db.ImportAsync(Encoding.UTF8.GetBytes($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY);\nINSERT INTO \"{t}\" VALUES (1);\n"));
        using var dump = new MemoryStream();
        await db.ExportAsync(dump, new D1ExportOptions(Tables: [t]));
        Assert.Contains(recorder.Seen, s => s.Path.StartsWith("/__upload/", StringComparison.Ordinal) && !s.Authorized);
        Assert.Contains(recorder.Seen, s => s.Path.StartsWith("/__download/", StringComparison.Ordinal) && !s.Authorized);
        Assert.All(recorder.Seen, s => Assert.Equal(s.Path.StartsWith("/client/v4/", StringComparison.Ordinal), s.Authorized));
    }

    [Fact]
    public async Task An_ingest_whose_answer_is_lost_is_ambiguous_and_the_import_is_not_sent_again()
    {
        var t = NewTable();
        var sql = Encoding.UTF8.GetBytes($"CREATE TABLE \"{t}\" (id INTEGER PRIMARY KEY);\nINSERT INTO \"{t}\" VALUES (1);\n");
        var requests = new List<CloudflareRequestInfo>();
        using var api = new CloudflareApiClient(server.Settings(onRequest: r => { lock (requests) requests.Add(r); }));
        // skip 1: the init passes, the ingest commits and its answer is lost.
        server.SetFaults(new { rules = new object[] { new { kind = "reset_after_commit", route = "import", skip = 1, count = 1 } } });
        try
        {
            var e = await Assert.ThrowsAsync<AmbiguousWriteException>(() => api.D1(Db2.DatabaseId).ImportAsync(sql));
            Assert.EndsWith("/import", e.Operation, StringComparison.Ordinal);
            Assert.Equal(2, requests.Count(r => r.Operation.EndsWith("/import", StringComparison.Ordinal)));
        }
        finally
        {
            server.ClearFaults();
        }
        Assert.Equal(1, await Count(Db2, t)); // it did run, once: the caller's read-back decides
    }

    public void Dispose() => _api.Dispose();
}
