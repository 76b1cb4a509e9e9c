using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Migration.Engine.Target;

/// <summary>
/// Writes on one background thread while the caller goes on reading and converting the next
/// rows, the way <c>psql | sqlite3</c> overlaps its two processes (the SQLite target's batches,
/// the Postgres target's COPY rows). One thread and a FIFO queue keep the work in the order it
/// was submitted (parents before children); the queue is bounded, so memory stays at a few
/// chunks of rows whatever the table size. The thread is the only user of the target's
/// connection while work is queued: callers that need the connection themselves wait for
/// <see cref="WaitIdle"/> first.
/// </summary>
internal sealed class BatchPump : IDisposable
{
    readonly BlockingCollection<Action> _queue;
    readonly Thread _thread;
    readonly object _gate = new();
    int _pending;
    bool _disposed;
    ExceptionDispatchInfo? _failure;

    /// <param name="capacity">Items that may wait in the queue before <see cref="Submit"/> blocks.</param>
    /// <param name="threadName">The writer thread's name (seen in a debugger or a profiler).</param>
    public BatchPump(int capacity, string threadName)
    {
        _queue = new BlockingCollection<Action>(new ConcurrentQueue<Action>(), capacity);
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>Queues work; blocks while the queue is full. Throws the failure of earlier work, if any.</summary>
    public void Submit(Action work)
    {
        ThrowIfFailed();
        lock (_gate) _pending++;
        _queue.Add(work);
    }

    /// <summary>Waits until every submitted item has run; throws the first failure.</summary>
    /// <param name="clearFailure">
    /// The failure is the caller's to handle from here (the Postgres target probes a refused
    /// batch row by row and goes on with the next): later work runs again. Without it, nothing
    /// submitted after a failure ever runs (the SQLite target stops).
    /// </param>
    public void WaitIdle(bool clearFailure = false)
    {
        lock (_gate)
            while (_pending > 0) Monitor.Wait(_gate);
        var failure = _failure;
        if (clearFailure) _failure = null;
        failure?.Throw();
    }

    void ThrowIfFailed() => _failure?.Throw();

    void Run()
    {
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            try
            {
                // After a failure nothing more is written: later batches may depend on the
                // failed one (foreign keys, resume checkpoints).
                if (_failure is null) work();
            }
            catch (Exception ex)
            {
                _failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                lock (_gate)
                {
                    _pending--;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>Lets queued batches finish (they are whole batches), then stops the thread.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }
}
