using Migration.Engine.Source;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// ReadAhead hands a source's items to the consumer in order, from a thread of its own: every
/// item once, the source's failure after the items before it, and an early stop that disposes
/// the source on the reader thread before Dispose returns.
/// </summary>
public sealed class ReadAheadTests
{
    [Theory]
    [InlineData(0, 4, 2)]
    [InlineData(1, 4, 2)]
    [InlineData(7, 4, 2)]
    [InlineData(8, 4, 2)]
    [InlineData(10_000, 256, 4)]
    public void Every_item_arrives_once_in_order(int count, int chunkSize, int chunks)
    {
        using var ahead = new ReadAhead<string>(() => Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), chunkSize, chunks);
        var got = new List<string>();
        while (ahead.TryTake(out var item)) got.Add(item);
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), got);
        Assert.False(ahead.TryTake(out _)); // the end stays the end
    }

    [Fact]
    public void The_source_runs_on_another_thread_and_is_disposed_there()
    {
        var consumer = Environment.CurrentManagedThreadId;
        var source = new ProbeSource(3);
        using (var ahead = new ReadAhead<string>(() => source, chunkSize: 2, chunks: 1))
        {
            while (ahead.TryTake(out _)) { }
        }
        Assert.NotEqual(consumer, source.EnumeratedOn);
        Assert.Equal(source.EnumeratedOn, source.DisposedOn);
    }

    [Fact]
    public void A_failure_of_the_source_comes_after_the_items_before_it_with_its_type()
    {
        static IEnumerable<string> Failing()
        {
            yield return "a";
            yield return "b";
            throw new InvalidDataException("column x of row 3");
        }
        using var ahead = new ReadAhead<string>(Failing, chunkSize: 1, chunks: 1);
        Assert.True(ahead.TryTake(out var a));
        Assert.True(ahead.TryTake(out var b));
        Assert.Equal(["a", "b"], new[] { a, b });
        var ex = Assert.Throws<InvalidDataException>(() => ahead.TryTake(out _));
        Assert.Equal("column x of row 3", ex.Message);
    }

    [Fact]
    public void Dispose_stops_an_endless_source_early_and_waits_for_its_disposal()
    {
        var source = new ProbeSource(int.MaxValue);
        var ahead = new ReadAhead<string>(() => source, chunkSize: 4, chunks: 2);
        Assert.True(ahead.TryTake(out var first));
        Assert.Equal("0", first);
        ahead.Dispose();
        Assert.NotEqual(0, source.DisposedOn); // disposed before Dispose returned
        // Bounded: the chunk taken, the two queued, the one waiting to be queued, and one more item.
        Assert.True(source.Produced <= 4 + 2 * 4 + 4 + 1, $"{source.Produced} items were produced");
        Assert.Throws<ObjectDisposedException>(() => ahead.TryTake(out _));
    }

    /// <summary>Counts items, and records the threads it is enumerated and disposed on.</summary>
    sealed class ProbeSource(int count) : IEnumerable<string>
    {
        public int EnumeratedOn;
        public volatile int DisposedOn;
        public volatile int Produced;

        public IEnumerator<string> GetEnumerator()
        {
            EnumeratedOn = Environment.CurrentManagedThreadId;
            try
            {
                for (var i = 0; i < count; i++)
                {
                    Produced = i + 1;
                    yield return i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            finally
            {
                DisposedOn = Environment.CurrentManagedThreadId;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
