using System.Security;
using System.Text;
using System.Text.Json;
using Migration.Engine.Cloudflare;
using Xunit;

namespace Migration.Engine.Tests.Cloudflare;

/// <summary>The parts of the Cloudflare client that need no server: settings, token, rate limiter, statements, wrangler configs.</summary>
public sealed class CloudflareClientUnitTests
{
    /// <summary>A clock the test moves by hand (the rate limiter's waits are computed from it).</summary>
    sealed class ManualTime : TimeProvider
    {
        long _ticks;
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(Interlocked.Read(ref _ticks));
    }

    [Fact]
    public void The_base_URL_comes_from_CLOUDFLARE_API_BASE_URL_as_in_wrangler_else_the_default()
    {
        Assert.Equal(new Uri(CloudflareSettings.DefaultApiBaseUrl), CloudflareSettings.ApiBaseUriFrom(_ => null));
        Assert.Equal(new Uri("http://127.0.0.1:9/client/v4"), CloudflareSettings.ApiBaseUriFrom(n => n == "CLOUDFLARE_API_BASE_URL" ? "http://127.0.0.1:9/client/v4" : null));
        Assert.Equal(new Uri("http://alias/client/v4"), CloudflareSettings.ApiBaseUriFrom(n => n == "CF_API_BASE_URL" ? "http://alias/client/v4" : null));
        Assert.Throws<CloudflareConfigurationException>(() => CloudflareSettings.ApiBaseUriFrom(n => n == "CLOUDFLARE_API_BASE_URL" ? "not a url" : null));
    }

    [Fact]
    public void Settings_from_the_environment_name_what_is_missing_and_never_show_the_token()
    {
        var env = new Dictionary<string, string> { ["CLOUDFLARE_ACCOUNT_ID"] = "acc1", ["CLOUDFLARE_API_TOKEN"] = "tok-SECRET-1" };
        var s = CloudflareSettings.FromEnvironment(environment: n => env.GetValueOrDefault(n));
        Assert.Equal("acc1", s.AccountId);
        Assert.DoesNotContain("SECRET", s.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", s.ApiToken.ToString(), StringComparison.Ordinal);
        Assert.Equal("acc2", CloudflareSettings.FromEnvironment(accountId: "acc2", environment: n => env.GetValueOrDefault(n)).AccountId);

        var noToken = Assert.Throws<CloudflareConfigurationException>(() => CloudflareSettings.FromEnvironment(environment: n => n == "CLOUDFLARE_ACCOUNT_ID" ? "a" : null));
        Assert.Contains("CLOUDFLARE_API_TOKEN", noToken.Message, StringComparison.Ordinal);
        var noAccount = Assert.Throws<CloudflareConfigurationException>(() => CloudflareSettings.FromEnvironment(environment: _ => null));
        Assert.Contains("CLOUDFLARE_ACCOUNT_ID", noAccount.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_comes_from_a_SecureString_and_a_token_that_cannot_be_a_header_is_refused_without_being_shown()
    {
        using var secure = new SecureString();
        foreach (var c in "abc-SECRET") secure.AppendChar(c);
        var token = CloudflareApiToken.FromSecureString(secure);
        Assert.Equal("***", token.ToString());
        Assert.Equal("error *** here", token.Redact("error abc-SECRET here"));
        var e = Assert.Throws<ArgumentException>(() => CloudflareApiToken.FromString("abc-SECRET\r\nX-Evil: 1"));
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CloudflareApiToken.FromString(" "));
    }

    [Fact]
    public async Task The_rate_limiter_allows_the_burst_then_the_steady_rate_and_no_window_exceeds_its_limit()
    {
        var time = new ManualTime();
        var limiter = new CloudflareRateLimiter(requestsPerWindow: 100, window: TimeSpan.FromSeconds(100), burst: 10, time);
        for (var i = 0; i < 10; i++) await limiter.WaitAsync(CancellationToken.None);
        var next = limiter.WaitAsync(CancellationToken.None);
        Assert.False(next.IsCompleted); // the burst is spent: 90 more per 100 s, one every ~1.11 s
        Assert.Equal(0.9, limiter.SteadyRate, 6);

        // Simulated: a client asking as fast as it can for 300 s gets at most 10 + 0.9 * 300 requests,
        // and any 100 s window holds at most 100.
        var granted = SimulateGrants(100, TimeSpan.FromSeconds(100), 10, TimeSpan.FromSeconds(300));
        Assert.InRange(granted.Count, 270, 280);
        for (var i = 0; i + 100 < granted.Count; i++)
            Assert.True(granted[i + 100] - granted[i] >= 100 - 1e-6, $"101 requests within {granted[i + 100] - granted[i]} s");
    }

    /// <summary>Grant times (s) of a limiter asked continuously, using its arithmetic step by step.</summary>
    static List<double> SimulateGrants(int perWindow, TimeSpan window, int burst, TimeSpan duration)
    {
        var time = new ManualTime();
        var limiter = new CloudflareRateLimiter(perWindow, window, burst, time);
        var grants = new List<double>();
        var step = TimeSpan.FromMilliseconds(10);
        for (var t = TimeSpan.Zero; t <= duration; t += step)
        {
            while (limiter.WaitAsync(CancellationToken.None) is { IsCompletedSuccessfully: true }) grants.Add(t.TotalSeconds);
            time.Advance(step);
        }
        return grants;
    }

    [Fact]
    public void A_429_pause_holds_every_request_back_until_retry_after()
    {
        var time = new ManualTime();
        var limiter = new CloudflareRateLimiter(1000, TimeSpan.FromMinutes(5), 20, time);
        limiter.Pause(TimeSpan.FromSeconds(30));
        Assert.False(limiter.WaitAsync(CancellationToken.None).IsCompleted);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(limiter.WaitAsync(CancellationToken.None).IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void A_statement_template_places_each_value_behind_the_placeholder_that_keeps_it_exact()
    {
        var s = D1Statement.Of("INSERT INTO t VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {{x}})", 9223372036854775807L, 3.0, double.NegativeInfinity, "t", new byte[] { 1 }, null);
        Assert.Equal("INSERT INTO t VALUES (CAST(? AS INTEGER), CAST(? AS REAL), (? * 9e999), ?, ?, ?, {x})", s.Sql);
        var body = Encoding.UTF8.GetString(D1DatabaseClient.RequestBody([s], batch: false));
        Assert.Equal("""{"sql":"INSERT INTO t VALUES (CAST(? AS INTEGER), CAST(? AS REAL), (? * 9e999), ?, ?, ?, {x})","params":["9223372036854775807",3,-1,"t",[1],null]}""", body);
        Assert.Throws<FormatException>(() => D1Statement.Of("SELECT {1}", 1));
        Assert.Throws<ArgumentException>(() => D1Parameter.From(double.NaN));
        Assert.Throws<ArgumentException>(() => D1Parameter.From(1.5m));
        Assert.Throws<ArgumentException>(() => D1Parameter.From(ulong.MaxValue));
        var batch = Encoding.UTF8.GetString(D1DatabaseClient.RequestBody([new D1Statement("SELECT 1"), D1Statement.Of("SELECT {0}", true)], batch: true));
        Assert.Equal("""{"batch":[{"sql":"SELECT 1"},{"sql":"SELECT CAST(? AS INTEGER)","params":["1"]}]}""", batch);
    }

    [Fact]
    public void Exact_read_decoding_restores_each_storage_class()
    {
        static object? D(string json) => D1ExactRead.Decode(JsonDocument.Parse(json).RootElement);
        Assert.Equal(long.MinValue, D("\"i-9223372036854775808\""));
        Assert.Equal("i123", D("\"ti123\""));
        Assert.Equal(3.0, D("3"));
        Assert.Equal(double.NegativeInfinity, D("\"r-\""));
        Assert.Equal(new byte[] { 1, 2 }, D("[1,2]"));
        Assert.Null(D("null"));
        Assert.Throws<FormatException>(() => D("\"x\""));
    }

    [Fact]
    public void A_wrangler_toml_gives_the_account_D1_and_KV_bindings_per_environment()
    {
        var dir = Directory.CreateTempSubdirectory("cf-toml-");
        try
        {
            var path = Path.Combine(dir.FullName, "wrangler.toml");
            File.WriteAllText(path, """
                name = "bot" # a comment
                account_id = 'acc-top'
                compatibility_date = 2024-09-23
                vars = { A = "1", B = [1, 2] }

                [[d1_databases]]
                binding = "DB"
                database_name = "listcutter"
                database_id = "0e7c3b1a-1111-4222-8333-444455556666"

                [[d1_databases]]
                binding = "OTHER"
                database_name = "other-db" # no id: resolved by name

                [[kv_namespaces]]
                binding = "CACHE"
                id = "kv-prod-id"
                preview_id = "kv-preview-id"

                [env.staging]
                name = "bot-staging"

                [[env.staging.d1_databases]]
                binding = "DB"
                database_name = "listcutter-staging"
                database_id = "staging-id"

                [[env.staging.kv_namespaces]]
                binding = "CACHE"
                id = "kv-staging-id"
                """);
            var top = WranglerConfig.Load(path);
            Assert.Equal("acc-top", top.AccountId);
            Assert.Equal(new WranglerD1Binding("DB", "listcutter", "0e7c3b1a-1111-4222-8333-444455556666", null), top.D1("DB"));
            Assert.Equal("OTHER", top.D1("other-db").Binding);
            Assert.Null(top.D1("OTHER").DatabaseId);
            Assert.Equal(new WranglerKvBinding("CACHE", "kv-prod-id", "kv-preview-id"), top.Kv("CACHE"));

            var staging = WranglerConfig.Load(dir.FullName, "staging");
            Assert.Equal("acc-top", staging.AccountId);
            Assert.Equal("staging-id", staging.D1("DB").DatabaseId);
            Assert.Equal("kv-staging-id", staging.Kv("CACHE").Id);
            var missing = Assert.Throws<CloudflareConfigurationException>(() => staging.D1("OTHER"));
            Assert.Contains("DB", missing.Message, StringComparison.Ordinal);
            Assert.Throws<CloudflareConfigurationException>(() => WranglerConfig.Load(path, "prod"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_wrangler_jsonc_with_comments_and_trailing_commas_is_read_and_a_bad_toml_names_its_line()
    {
        var dir = Directory.CreateTempSubdirectory("cf-jsonc-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "wrangler.jsonc"), """
                // wrangler.jsonc
                {
                  "name": "app",
                  /* the database */
                  "d1_databases": [ { "binding": "DB", "database_name": "books", "database_id": "id-1", }, ],
                  "kv_namespaces": [ { "binding": "BOOKS", "id": "kv-1" } ],
                }
                """);
            var config = WranglerConfig.Load(dir.FullName);
            Assert.Equal("id-1", config.D1("DB").DatabaseId);
            Assert.Equal("kv-1", config.Kv("BOOKS").Id);
            Assert.Null(config.AccountId);

            var bad = Path.Combine(dir.FullName, "bad.toml");
            File.WriteAllText(bad, "name = \"a\"\n[[d1_databases]]\nbinding = \"DB\nx = 1\n");
            var e = Assert.Throws<CloudflareConfigurationException>(() => WranglerConfig.Load(bad));
            Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
