using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.Cloudflare;

/// <summary>The KV reads against the real API server (a real local KV): namespaces, listing with cursor and prefix, values, metadata, expiration, bulk.</summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class CloudflareKvTests(CloudflareApiServer server) : IDisposable
{
    readonly CloudflareApiClient _api = server.Client();
    readonly string _prefix = "p" + Guid.NewGuid().ToString("N")[..8] + ":";

    KvNamespaceClient Kv => _api.Kv(server.NamespaceId);

    [Fact]
    public async Task The_namespaces_of_the_account_are_listed()
    {
        var all = await _api.ListKvNamespacesAsync();
        Assert.Contains(all, n => n.Id == server.NamespaceId && n.Title == CloudflareApiServer.Namespace);
    }

    [Fact]
    public async Task Keys_are_listed_by_prefix_across_pages_with_the_cursor_in_order()
    {
        var names = Enumerable.Range(0, 25).Select(i => $"{_prefix}{i:D3}").ToList();
        foreach (var n in names) server.PutKv(n, Encoding.UTF8.GetBytes("x"));
        server.PutKv("other:" + _prefix, Encoding.UTF8.GetBytes("not listed"));

        var first = await Kv.ListKeysAsync(_prefix, limit: 10);
        Assert.Equal(10, first.Keys.Count);
        Assert.NotNull(first.Cursor);
        var all = new List<string>();
        await foreach (var k in Kv.ListAllKeysAsync(_prefix)) all.Add(k.Name);
        Assert.Equal(names, all);

        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Kv.ListKeysAsync(_prefix, cursor, limit: 10);
            paged.AddRange(page.Keys.Select(k => k.Name));
            cursor = page.Cursor;
        }
        while (cursor is not null);
        Assert.Equal(names, paged);
    }

    [Fact]
    public async Task A_value_comes_back_as_its_exact_bytes_with_metadata_and_expiration()
    {
        var binary = new byte[] { 0, 0xff, 0xfe, 0x80, 0x41, 0 };
        var key = _prefix + "bin/with slash?&";
        server.PutKv(key, binary, """{"chat_id":-1001234567890,"tag":"b"}""", expirationTtl: 3600);
        var entry = await Kv.GetAsync(key);
        Assert.NotNull(entry);
        Assert.Equal(binary, entry.Value);
        Assert.Null(entry.TryGetText());
        Assert.Equal("-1001234567890", entry.Metadata!.Value.GetProperty("chat_id").GetRawText());
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(entry.Expiration!.Value, now + 3500, now + 3700);

        Assert.Null(await Kv.GetAsync(_prefix + "missing"));
    }

    [Fact]
    public async Task Bulk_get_returns_text_values_with_metadata_and_entries_stay_exact_for_binary_values()
    {
        server.PutKv(_prefix + "a", Encoding.UTF8.GetBytes("""{"isbn":"978","n":12345678901234567890}"""), """{"m":1}""");
        server.PutKv(_prefix + "b", Encoding.UTF8.GetBytes("emoji 😀 \0 nul"), expirationTtl: 7200);
        server.PutKv(_prefix + "c", [0xc3, 0x28, 0xff]);

        var bulk = await Kv.BulkGetAsync([_prefix + "a", _prefix + "b", _prefix + "nope"]);
        Assert.Equal("""{"isbn":"978","n":12345678901234567890}""", bulk[_prefix + "a"]!.Text);
        Assert.Equal("1", bulk[_prefix + "a"]!.Metadata!.Value.GetProperty("m").GetRawText());
        Assert.Null(bulk[_prefix + "nope"]);

        var keys = new List<KvKey>();
        await foreach (var k in Kv.ListAllKeysAsync(_prefix)) keys.Add(k);
        var entries = (await Kv.GetEntriesAsync(keys)).ToDictionary(e => e.Key);
        Assert.Equal(Encoding.UTF8.GetBytes("""{"isbn":"978","n":12345678901234567890}"""), entries[_prefix + "a"].Value);
        Assert.Equal("emoji 😀 \0 nul", entries[_prefix + "b"].TryGetText());
        Assert.NotNull(entries[_prefix + "b"].Expiration);
        Assert.Equal(new byte[] { 0xc3, 0x28, 0xff }, entries[_prefix + "c"].Value);
    }

    public void Dispose() => _api.Dispose();
}
