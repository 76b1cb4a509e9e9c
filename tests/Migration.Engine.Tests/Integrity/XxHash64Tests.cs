using System.Text;
using Migration.Engine.Integrity;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

public class XxHash64Tests
{
    // Expected values from the reference implementation: printf '%s' "$s" | xxhsum -H1 -
    [Theory]
    [InlineData("", 0xef46db3751d8e999UL)]
    [InlineData("a", 0xd24ec4f1a98c6e5bUL)]
    [InlineData("abc", 0x44bc2cf5ad770999UL)]
    [InlineData("Nobody inspects the spammish repetition", 0xfbcea83c8a378bf1UL)]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", 0xdff98723336af7f7UL)]
    public void Matches_the_reference_implementation(string input, ulong expected) =>
        Assert.Equal(expected, XxHash64.Hash(Encoding.UTF8.GetBytes(input)));

    [Fact]
    public void The_seed_changes_the_hash_and_the_two_halves_differ()
    {
        var data = Encoding.UTF8.GetBytes("same bytes");
        Assert.NotEqual(XxHash64.Hash(data, 1), XxHash64.Hash(data, 2));
        var h = ContentHash.Of(data);
        Assert.NotEqual((ulong)(h >> 64), (ulong)h);
        Assert.Equal(h, ContentHash.Of(Encoding.UTF8.GetBytes("same bytes")));
    }
}
