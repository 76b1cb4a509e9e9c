using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Migration.Engine.Cloudflare;
using Xunit;

namespace Migration.Engine.Tests.Infrastructure;

/// <summary>
/// The D1 + KV API test server (tests/d1-api-server: Cloudflare's <c>/client/v4</c> routes over a
/// real local D1 and KV under <c>wrangler dev</c>), started once per test collection and stopped
/// with it. Use it through <c>[Collection(CloudflareApiServer.Collection)]</c>; tests in that
/// collection run one after another, so fault rules set by one do not reach another.
/// </summary>
public sealed class CloudflareApiServer : IDisposable
{
    public const string Collection = "CloudflareApiServer";

    public const string Database = "cftest";
    public const string Database2 = "cftest2";
    public const string Namespace = "cfkv";

    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    readonly HttpClient _admin = new() { Timeout = TimeSpan.FromSeconds(60) };
    readonly string _root;

    public CloudflareApiServer()
    {
        _root = WranglerLocalD1.RepositoryRoot();
        var output = RunNode(["start", "--databases", $"{Database},{Database2}", "--kv", Namespace]);
        using var document = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var r = document.RootElement;
        ApiBaseUri = new Uri(r.GetProperty("api_base_url").GetString()!);
        BaseUri = new Uri(r.GetProperty("base_url").GetString()!);
        Token = r.GetProperty("token").GetString()!;
        AccountId = r.GetProperty("account_id").GetString()!;
        StateDirectory = r.GetProperty("state_dir").GetString()!;
        DatabaseUuids = r.GetProperty("databases").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!, d => d.GetProperty("uuid").GetString()!);
        NamespaceId = r.GetProperty("kv_namespaces").EnumerateArray().Single().GetProperty("id").GetString()!;
    }

    public Uri ApiBaseUri { get; }
    public Uri BaseUri { get; }
    public string Token { get; }
    public string AccountId { get; }
    public string StateDirectory { get; }
    public IReadOnlyDictionary<string, string> DatabaseUuids { get; }
    public string NamespaceId { get; }

    /// <summary>Client settings for this server; quick back-off so retries do not slow the tests.</summary>
    public CloudflareSettings Settings(string? token = null, TimeSpan? timeout = null, Action<CloudflareRequestInfo>? onRequest = null, int maxAttempts = 5) => new()
    {
        AccountId = AccountId,
        ApiToken = CloudflareApiToken.FromString(token ?? Token),
        ApiBaseUri = ApiBaseUri,
        RequestTimeout = timeout ?? TimeSpan.FromSeconds(60),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        MaxAttempts = maxAttempts,
        OnRequest = onRequest,
    };

    public CloudflareApiClient Client(string? token = null, TimeSpan? timeout = null, Action<CloudflareRequestInfo>? onRequest = null) =>
        new(Settings(token, timeout, onRequest));

    /// <summary>Sets the fault rules (the server's JSON, see tests/d1-api-server/README.md).</summary>
    public void SetFaults(object config) => Admin(HttpMethod.Put, "faults", JsonSerializer.Serialize(config));

    public void ClearFaults() => Admin(HttpMethod.Delete, "faults", null);

    /// <summary>The kinds of the faults that fired since the rules were set (the server's fired log).</summary>
    public IReadOnlySet<string> FiredFaults()
    {
        using var doc = JsonDocument.Parse(Admin(HttpMethod.Get, "faults", null));
        return doc.RootElement.GetProperty("fired_log").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Drops every object of a database and forgets its bookmarks.</summary>
    public void ResetDatabase(string name) => Admin(HttpMethod.Post, $"d1/{name}/reset", null);

    /// <summary>Writes a KV value straight through the API (seeding, not the client under test).</summary>
    public void PutKv(string key, byte[] value, string? metadataJson = null, long? expirationTtl = null)
    {
        var url = $"{ApiBaseUri}/accounts/{AccountId}/storage/kv/namespaces/{NamespaceId}/values/{Uri.EscapeDataString(key)}"
                  + (expirationTtl is { } ttl ? $"?expiration_ttl={ttl}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Put, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (metadataJson is null)
        {
            request.Content = new ByteArrayContent(value);
        }
        else
        {
            // Quoted part names: workerd's form parser does not accept .NET's bare name=value.
            var valuePart = new ByteArrayContent(value);
            valuePart.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"value\"", FileName = "\"value\"" };
            var metadataPart = new StringContent(metadataJson, Encoding.UTF8);
            metadataPart.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"metadata\"" };
            request.Content = new MultipartFormDataContent { valuePart, metadataPart };
        }
        using var response = _admin.Send(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT KV {key}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");
    }

    string Admin(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUri, "/__admin/" + path));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = _admin.Send(request);
        var body = response.Content.ReadAsStringAsync().Result;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"admin {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    string RunNode(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(_root, "tests", "d1-api-server", "server.mjs"));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("CLOUDFLARE_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["WRANGLER_SEND_METRICS"] = "false";
        start.Environment["CI"] = "true";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StartTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"d1-api-server {arguments[0]} did not finish within {StartTimeout}.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"d1-api-server {arguments[0]} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }


    public void Dispose()
    {
        try { RunNode(["stop", StateDirectory]); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { /* a leftover server dies with the CI machine; the results matter */ }
        _admin.Dispose();
    }
}

[CollectionDefinition(CloudflareApiServer.Collection)]
public sealed class CloudflareApiServerCollection : ICollectionFixture<CloudflareApiServer>;
