using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Migration.Engine.Source;

/// <summary>
/// Enumerates a source on a thread of its own, a few items ahead of the consumer, so that
/// decoding (Postgres' COPY stream) overlaps with whatever the consumer does with each item
/// (a PowerShell pipeline: binding, converting, handing rows to the writer). Items travel in
/// small chunks through a bounded queue: the reader waits when the consumer is
/// <c>chunkSize * chunks</c> items behind, so memory stays flat, and the queue is short so
/// the items in flight stay young for the garbage collector.
/// </summary>
/// <remarks>
/// <para>
/// The defaults (2 chunks of 64) keep at most ~256 rows alive between the threads. In a
/// PowerShell process (concurrent GC, a gen0 budget of ~5 MB) 4 chunks of 256 rows (~1.5 MB of
/// row objects) were still alive at most collections and reached gen2: measured at 1.11M rows,
/// 86-98 gen2 collections fell to 2 and the process' CPU by ~3 s; the reader waits more often,
/// which costs nothing measurable (one hand-over per 64 rows).
/// </para>
/// <para>
/// The source is created, enumerated and disposed on the reader thread only; the consumer
/// never touches it, so a single-connection source (one Postgres snapshot) stays single-threaded.
/// A failure of the source is thrown on the consumer's thread by <see cref="TryTake"/>, after
/// the items read before it, with its original type and stack. <see cref="Dispose"/> stops the
/// reader after its current item (an early stop: the source's enumerator is disposed, which
/// cancels a COPY) and waits until the reader has let go of the source.
/// </para>
/// </remarks>
public sealed class ReadAhead<T> : IDisposable where T : class
{
    readonly BlockingCollection<Chunk> _full;
    readonly CancellationTokenSource _stop = new();
    readonly Thread _thread;
    readonly int _chunkSize;
    T[]? _current;
    int _next;
    int _currentCount;
    ExceptionDispatchInfo? _failure;
    bool _ended;
    bool _disposed;

    /// <param name="source">Called on the reader thread; its enumerator is disposed there too.</param>
    /// <param name="chunkSize">Items handed over at once (one synchronisation per chunk, not per item).</param>
    /// <param name="chunks">Full chunks the reader may be ahead by.</param>
    /// <param name="threadName">The reader thread's name (seen in a debugger or a profiler).</param>
    public ReadAhead(Func<IEnumerable<T>> source, int chunkSize = 64, int chunks = 2, string threadName = "Migration read-ahead")
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 1);
        _chunkSize = chunkSize;
        _full = new BlockingCollection<Chunk>(new ConcurrentQueue<Chunk>(), chunks);
        _thread = new Thread(() => Read(source)) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>Every item, in order, through <see cref="TryTake"/> (a failure of the source is thrown where it happened).</summary>
    public IEnumerable<T> Items()
    {
        while (TryTake(out var item)) yield return item;
    }

    /// <summary>The next item; false at the end of the source. Throws the source's failure once the items before it are taken.</summary>
    public bool TryTake(out T item)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_current is null || _next == _currentCount)
        {
            if (_ended || !NextChunk())
            {
                _ended = true;
                _failure?.Throw();
                item = null!;
                return false;
            }
        }
        item = _current[_next];
        _current[_next++] = null!; // the consumer owns the item now; the chunk keeps nothing alive
        return true;
    }

    bool NextChunk()
    {
        if (!_full.TryTake(out var chunk, Timeout.Infinite)) return false; // adding completed and the queue is empty
        _current = chunk.Items;
        _currentCount = chunk.Count;
        _next = 0;
        return true;
    }

    readonly record struct Chunk(T[] Items, int Count);

    void Read(Func<IEnumerable<T>> source)
    {
        var token = _stop.Token;
        try
        {
            var chunk = new T[_chunkSize];
            var count = 0;
            foreach (var item in source())
            {
                chunk[count++] = item;
                if (count == chunk.Length)
                {
                    _full.Add(new Chunk(chunk, count), token);
                    chunk = new T[_chunkSize];
                    count = 0;
                }
                if (token.IsCancellationRequested) return;
            }
            if (count > 0) _full.Add(new Chunk(chunk, count), token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped by Dispose: nobody takes what is left.
        }
        catch (Exception ex)
        {
            // Seen by the consumer after the items read before the failure.
            _failure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            _full.CompleteAdding();
        }
    }

    /// <summary>Stops the reader (after its current item) and waits until it has disposed the source.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _thread.Join();
        _full.Dispose();
        _stop.Dispose();
    }
}
