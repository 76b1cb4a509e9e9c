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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Both_text_forms_encode_a_string_and_its_stored_utf8_alike(bool utf16)
    {
        var form = utf16 ? CanonicalText.Utf16 : CanonicalText.Utf8;
        foreach (var text in new[] { "", "ascii only", "Zoë – 東京 🙂 \r\n", new string('é', 5000) })
        {
            var fromString = new CanonicalEncoder(form);
            fromString.AppendValue(text, "c");
            var fromUtf8 = new CanonicalEncoder(form);
            fromUtf8.AppendTextUtf8(Encoding.UTF8.GetBytes(text));
            Assert.True(fromString.Written.SequenceEqual(fromUtf8.Written), text);
        }
    }

    [Fact]
    public void A_lone_surrogate_does_not_hash_like_the_replacement_character_UTF8_would_store() =>
        Assert.NotEqual(HashOf("a\ud800b"), HashOf("a\ufffdb"));

    [Fact]
    public void Stored_bytes_that_are_not_UTF8_never_encode_like_the_string_they_would_decode_to()
    {
        // "a", 0xFF, "b" decodes (with replacement) to "a\ufffdb": the check must still see a difference.
        var stored = new CanonicalEncoder();
        stored.AppendTextUtf8([0x61, 0xFF, 0x62]);
        var expected = new CanonicalEncoder();
        expected.AppendValue("a\ufffdb", "c");
        Assert.False(stored.Written.SequenceEqual(expected.Written));
        Assert.Equal(CanonicalEncoder.InvalidText, stored.Written[0]);
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
        Assert.Equal(5 + 2 * 100_000, e.Written.Length); // UTF-16 code units
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
