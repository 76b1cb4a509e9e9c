using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Migration.Engine.Cloudflare;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.Cloudflare;

/// <summary>
/// The client under the server's injected faults: what is retried (429, reads, idempotent
/// writes, connections never opened), what is surfaced as ambiguous and not retried (a write
/// whose answer was lost after it committed), timeouts, and a refused token that never shows.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class CloudflareFaultTests : IDisposable
{
    readonly CloudflareApiServer _server;
    readonly List<CloudflareRequestInfo> _requests = [];
    readonly CloudflareApiClient _api;
    readonly string _table = "f_" + Guid.NewGuid().ToString("N")[..10];

    public CloudflareFaultTests(CloudflareApiServer server)
    {
        _server = server;
        server.ClearFaults();
        _api = new CloudflareApiClient(server.Settings(timeout: TimeSpan.FromSeconds(3), onRequest: r => { lock (_requests) _requests.Add(r); }));
        Db.QueryAsync(new D1Statement($"CREATE TABLE \"{_table}\" (id INTEGER PRIMARY KEY, v TEXT)"), RetrySafety.IdempotentWrite).GetAwaiter().GetResult();
        _requests.Clear();
    }

    D1DatabaseClient Db => _api.D1(_server.DatabaseUuids[CloudflareApiServer.Database2]);

    Task<IReadOnlyList<D1QueryResult>> Insert(int id, RetrySafety safety = RetrySafety.Write) =>
        Db.QueryAsync(D1Statement.Of($"INSERT INTO \"{_table}\" VALUES ({{0}}, {{1}})", id, "v" + id), safety);

    async Task<long> Count(int id)
    {
        using var clean = _server.Client();
        var raw = await clean.D1(Db.DatabaseId).RawAsync(D1Statement.Of($"SELECT count(*) FROM \"{_table}\" WHERE id = {{0}}", id));
        return (long)D1JsonValue.Decode(raw[0].Rows[0][0])!;
    }

    int Attempts(string route) { lock (_requests) return _requests.Count(r => r.Operation.EndsWith(route, StringComparison.Ordinal)); }

    [Fact]
    public async Task A_429_waits_for_retry_after_then_succeeds_and_was_not_executed_twice()
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "rate_limit", route = "query", count = 1, retry_after = 2 } } });
        var watch = Stopwatch.StartNew();
        await Insert(1);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9), $"retried after {watch.Elapsed}");
        Assert.Equal(2, Attempts("/query"));
        Assert.Equal(429, _requests[0].Status);
        Assert.Equal(1, await Count(1));
    }

    [Fact]
    public async Task A_429_asking_longer_than_allowed_fails_at_once_with_its_retry_after()
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "rate_limit", route = "raw", count = 1, retry_after = 600 } } });
        var e = await Assert.ThrowsAsync<CloudflareRateLimitException>(() => Db.RawAsync(new D1Statement("SELECT 1")));
        Assert.Equal(TimeSpan.FromSeconds(600), e.RetryAfter);
        Assert.Equal(971, e.Code);
        _server.ClearFaults();
    }

    [Fact]
    public async Task A_500_on_a_read_is_retried_and_the_read_succeeds()
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "internal_error", route = "raw", count = 2 } } });
        var raw = await Db.RawAsync(new D1Statement("SELECT 41 + 1"));
        Assert.Equal(42L, D1JsonValue.Decode(raw[0].Rows[0][0]));
        Assert.Equal(3, Attempts("/raw"));
    }

    [Fact]
    public async Task A_500_on_a_write_is_ambiguous_and_not_retried()
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "internal_error", route = "query", count = 1 } } });
        var e = await Assert.ThrowsAsync<AmbiguousWriteException>(() => Insert(2));
        Assert.Equal(500, e.HttpStatus);
        Assert.Equal(1, Attempts("/query"));
        Assert.False(string.IsNullOrEmpty(e.RequestId));
        Assert.Equal(0, await Count(2)); // this fault rejects before executing: the caller's read-back proof says "not applied"
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("500")]
    [InlineData("503")]
    public async Task A_write_whose_answer_is_lost_after_commit_is_surfaced_as_ambiguous_and_applied_once(string mode)
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "reset_after_commit", route = "query", count = 1, mode } } });
        var e = await Assert.ThrowsAsync<AmbiguousWriteException>(() => Insert(3));
        Assert.Equal(1, Attempts("/query"));
        Assert.Contains("may or may not have been applied", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, await Count(3)); // it did commit, once: the caller's proof (a read) finds it
    }

    [Fact]
    public async Task An_idempotent_write_whose_answer_is_lost_is_retried()
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "reset_after_commit", route = "query", count = 1 } } });
        await Db.QueryAsync(D1Statement.Of($"INSERT OR REPLACE INTO \"{_table}\" VALUES ({{0}}, {{1}})", 4, "v4"), RetrySafety.IdempotentWrite);
        Assert.Equal(2, Attempts("/query"));
        Assert.Equal(1, await Count(4));
    }

    [Fact]
    public async Task A_slow_read_past_the_timeout_is_retried_and_a_slow_write_is_ambiguous()
    {
        _server.SetFaults(new { rules = new object[] { new { kind = "slow", route = "raw", count = 1, delay_ms = 5000 } } });
        var watch = Stopwatch.StartNew();
        var raw = await Db.RawAsync(new D1Statement("SELECT 7"));
        Assert.Equal(7L, D1JsonValue.Decode(raw[0].Rows[0][0]));
        Assert.Equal(2, Attempts("/raw"));
        Assert.Null(_requests.First(r => r.Operation.EndsWith("/raw", StringComparison.Ordinal)).Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.9), $"took {watch.Elapsed}");

        _server.SetFaults(new { rules = new object[] { new { kind = "slow", route = "query", count = 1, delay_ms = 5000 } } });
        var e = await Assert.ThrowsAsync<AmbiguousWriteException>(() => Insert(5));
        Assert.Contains("timeout", e.Failure, StringComparison.Ordinal);
        await Task.Delay(2500); // let the slow answer finish on the server before reading
        Assert.Equal(1, await Count(5));
    }

    [Fact]
    public async Task A_bad_token_is_a_clear_error_that_never_shows_the_token()
    {
        const string wrong = "wrong-token-SECRETVALUE-0123456789";
        using var bad = _server.Client(token: wrong);
        var e = await Assert.ThrowsAsync<CloudflareAuthenticationException>(() => bad.D1(Db.DatabaseId).RawAsync(new D1Statement("SELECT 1")));
        Assert.Equal(10000, e.Code);
        Assert.Equal(403, e.HttpStatus);
        Assert.Contains("CLOUDFLARE_API_TOKEN", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETVALUE", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, bad.Settings.ToString(), StringComparison.Ordinal);

        _server.SetFaults(new { rules = new object[] { new { kind = "bad_token", route = "query", count = 1 } } });
        var e2 = await Assert.ThrowsAsync<CloudflareAuthenticationException>(() => Insert(6));
        Assert.DoesNotContain(_server.Token, e2.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, Attempts("/query"));
        Assert.Equal(0, await Count(6));
    }

    [Fact]
    public async Task A_connection_never_opened_is_retried_even_for_a_write_and_then_reported_as_unavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: connections are refused
        var settings = _server.Settings(maxAttempts: 3);
        using var api = new CloudflareApiClient(new CloudflareSettings
        {
            AccountId = settings.AccountId,
            ApiToken = settings.ApiToken,
            ApiBaseUri = new Uri($"http://127.0.0.1:{port}/client/v4"),
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxAttempts = 3,
            OnRequest = r => { lock (_requests) _requests.Add(r); },
        });
        var e = await Assert.ThrowsAsync<CloudflareUnavailableException>(() => api.D1(Db.DatabaseId).QueryAsync(new D1Statement("SELECT 1"), RetrySafety.Write));
        Assert.Equal(3, e.Attempts);
        Assert.Contains("could not connect", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _server.ClearFaults();
        _api.Dispose();
    }
}
