using Migration.Engine.Integrity;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

public class D1ValueTests
{
    [Theory]
    [InlineData(null, "NULL")]
    [InlineData(42L, "42")]
    [InlineData(1.0, "1.0")]
    [InlineData(2.5, "2.5")]
    [InlineData(1e300, "1E+300")]
    [InlineData("", "''")]
    [InlineData("1", "'1'")]
    [InlineData("a\r\nb", "'a\\r\\nb'")]
    public void Excerpts_show_the_storage_class(object? value, string expected) =>
        Assert.Equal(expected, D1Value.Excerpt(value));

    [Fact]
    public void Blob_excerpts_are_hex_and_short() =>
        Assert.Equal("x'000102030405060708090a0b0c0d0e0f…' (20 bytes)", D1Value.Excerpt(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray()));

    [Fact]
    public void Same_requires_the_same_class_and_bits()
    {
        Assert.True(D1Value.Same(1L, 1L));
        Assert.False(D1Value.Same(1L, 1.0));
        Assert.False(D1Value.Same("1", 1L));
        Assert.False(D1Value.Same("", null));
        Assert.False(D1Value.Same(0.0, -0.0));
        Assert.True(D1Value.Same(new byte[] { 1, 2 }, new byte[] { 1, 2 }));
    }
}
