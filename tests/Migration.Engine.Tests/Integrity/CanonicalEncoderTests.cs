using System.Text;
using Migration.Engine.Integrity;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

public class CanonicalEncoderTests
{
    static UInt128 HashOf(params object?[] values)
    {
        var e = new CanonicalEncoder();
        for (var i = 0; i < values.Length; i++) e.AppendValue(values[i], "c" + i);
        return ContentHash.Of(e.Written);
    }

    public static TheoryData<object?, object?> Distinct => new()
    {
        { "", null },          // NULL vs ''
        { "1", 1L },           // TEXT '1' vs INTEGER 1
        { 1.0, 1L },           // REAL 1.0 vs INTEGER 1
        { "1.0", 1.0 },
        { 0.0, -0.0 },         // the sign of a REAL zero
        { 0.1 + 0.2, 0.3 },    // one ulp apart: a rounded REAL
        { "a\r\nb", "a\nb" },  // a lost CR
        { new byte[] { 0x61 }, "a" }, // BLOB vs TEXT of the same bytes
        { "2024-01-01T10:00:00.000000Z", "2024-01-01T11:00:00.000000Z" },
    };

    [Theory]
    [MemberData(nameof(Distinct))]
    public void Values_that_differ_in_class_or_content_encode_differently(object? a, object? b) =>
        Assert.NotEqual(HashOf(a), HashOf(b));

    [Fact]
    public void Column_boundaries_are_part_of_the_encoding() =>
        Assert.NotEqual(HashOf("ab", "c"), HashOf("a", "bc"));

    [Fact]
    public void Text_from_a_string_and_from_stored_utf8_encode_the_same()
    {
        const string text = "Zoë – 東京 🙂 \r\n";
        var fromString = new CanonicalEncoder();
        fromString.AppendValue(text, "c");
        var fromUtf8 = new CanonicalEncoder();
        fromUtf8.AppendTextUtf8(Encoding.UTF8.GetBytes(text));
        Assert.True(fromString.Written.SequenceEqual(fromUtf8.Written));
    }

    [Fact]
    public void The_buffer_grows_for_large_values_and_is_reused_after_reset()
    {
        var e = new CanonicalEncoder();
        var big = new string('x', 100_000);
        e.AppendValue(big, "c");
        var first = ContentHash.Of(e.Written);
        e.Reset();
        e.AppendValue(big, "c");
        Assert.Equal(first, ContentHash.Of(e.Written));
        Assert.Equal(5 + 100_000, e.Written.Length);
    }

    [Fact]
    public void A_value_that_is_not_a_D1_value_is_an_error_naming_the_column()
    {
        var e = new CanonicalEncoder();
        var ex = Assert.Throws<InvalidOperationException>(() => e.AppendValue(42, "users.age"));
        Assert.Contains("users.age", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", ex.Message, StringComparison.Ordinal);
    }
}
