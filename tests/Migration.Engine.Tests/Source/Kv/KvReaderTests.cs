using System.Text;
using Migration.Engine.Source.Kv;
using Xunit;

namespace Migration.Engine.Tests.Source.Kv;

/// <summary>The dump and local-state readers against real files (the API reader: see the Pester file and CloudflareKvTests).</summary>
public sealed class KvReaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("kv-reader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_dump_is_read_in_key_order_either_shape_with_prefix_and_start()
    {
        var array = Path.Combine(_dir, "a.json");
        File.WriteAllText(array, "[{\"key\":\"w:2\",\"value\":\"[1]\",\"expiration\":1900000000},{\"key\":\"w:1\",\"value\":{\"x\":1}},{\"key\":\"b\",\"value\":\"aGk=\",\"base64\":true},{\"key\":\"c\",\"value\":\"hello\"}]");
        using var reader = new KvDumpReader(array);
        var all = reader.Read(new KvReadOptions()).ToList();
        Assert.Equal(["b", "c", "w:1", "w:2"], all.Select(e => e.Key));
        Assert.Equal(KvValueKind.Text, all[0].Kind); // "hi" is text, not JSON
        Assert.Equal("hi", all[0].Value);
        Assert.Equal(1_900_000_000L, all[3].ExpirationUnixSeconds);
        Assert.Equal(["w:2"], reader.Read(new KvReadOptions("w:", StartAfter: "w:1")).Select(e => e.Key));

        var obj = Path.Combine(_dir, "o.json");
        File.WriteAllText(obj, "{\"w:1\":{\"x\":1},\"w:2\":[1]}");
        Assert.Equal(["w:1", "w:2"], new KvDumpReader(obj).Read(new KvReadOptions()).Select(e => e.Key));

        var bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, "[{\"key\":\"a\",\"value\":1},{\"key\":\"a\",\"value\":2}]");
        Assert.Contains("appears twice", Assert.Throws<FormatException>(() => new KvDumpReader(bad).Read(new KvReadOptions()).ToList()).Message);
    }

    [Fact]
    public void The_local_state_file_name_follows_miniflare()
    {
        // Computed by Miniflare (durableObjectNamespaceIdFromName) for this id, seen on disk after `wrangler kv key put --local`.
        Assert.Equal("604730949a2c43a4da6de962297f3c7fde76c71aeecb9720bc4cf749a8259307", KvLocalStateReader.ObjectFileName("0f2ac74b498b48028cb68387c421e279"));
    }

    [Fact]
    public void A_folder_without_local_state_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => KvLocalStateReader.Open(_dir, null));
        Assert.Contains(_dir, e.Message);
    }
}
