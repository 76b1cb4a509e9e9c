using System.Collections;
using System.Numerics;
using System.Text.Json;
using Migration.Engine.Convert;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>The engine's reader of plain records, as the CLI uses it (no PowerShell involved).</summary>
public sealed class PlainObjectReaderTests
{
    [Fact]
    public void A_Workers_KV_JSON_value_reads_as_plain_values_and_converts()
    {
        using var doc = JsonDocument.Parse("""{"key":"user:1","n":12,"big":123456789012345678901,"price":1.5,"ok":true,"none":null,"tags":["a","b"],"meta":{"at":"2024-01-31T23:59:59Z"}}""");

        var pairs = PlainObjectReader.ReadProperties(doc.RootElement);

        Assert.Equal(["key", "n", "big", "price", "ok", "none", "tags", "meta"], pairs.Select(p => p.Key));
        var v = pairs.Select(p => p.Value).ToArray();
        Assert.Equal("user:1", v[0]);
        Assert.Equal(12L, v[1]);
        Assert.Equal(BigInteger.Parse("123456789012345678901", System.Globalization.CultureInfo.InvariantCulture), v[2]);
        Assert.Equal(1.5m, v[3]);
        Assert.Equal(true, v[4]);
        Assert.Null(v[5]);
        Assert.Equal(new List<object?> { "a", "b" }, v[6]);
        Assert.Equal("2024-01-31T23:59:59Z", Assert.IsType<Dictionary<string, object?>>(v[7])["at"]); // no date guessing

        var row = new RowConverter(ConversionOptions.Default).ConvertPlain("kv", pairs.Where(p => p.Key != "big").ToList());
        Assert.Equal(new object?[] { "user:1", 12L, 1.5, 1L, null, "[\"a\",\"b\"]", "{\"at\":\"2024-01-31T23:59:59Z\"}" }, row.GetValues());
    }

    [Fact]
    public void A_hashtable_and_a_CSV_record_read_as_their_entries()
    {
        var table = new Hashtable { ["id"] = 1, [2] = new[] { 1, 2 } };
        var pairs = PlainObjectReader.ReadProperties(table).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(1, pairs["id"]);
        Assert.Equal(new List<object?> { 1, 2 }, pairs["2"]);

        var csv = new Dictionary<string, string> { ["name"] = "Ada", ["zip"] = "01234" };
        Assert.Equal([new("name", "Ada"), new("zip", "01234")], PlainObjectReader.ReadProperties(csv).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
    }

    [Fact]
    public void An_object_that_contains_itself_is_refused_not_followed_forever()
    {
        var loop = new List<object?>();
        loop.Add(loop);
        Assert.Throws<InvalidOperationException>(() => PlainObjectReader.ReadProperties(new Hashtable { ["x"] = loop }));
    }

    [Fact]
    public void A_value_that_is_no_record_is_refused_without_an_adapter() =>
        Assert.Throws<ArgumentException>(() => PlainObjectReader.ReadProperties(42));
}
