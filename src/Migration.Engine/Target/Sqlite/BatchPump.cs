using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// Writes batches on one background thread while the caller goes on reading and converting the
/// next rows, the way <c>psql | sqlite3</c> overlaps its two processes. One thread and a FIFO
/// queue keep the batches in the order they were submitted (parents before children); the
/// queue is bounded, so memory stays at a few chunks of rows whatever the table size. The thread is
/// the only user of the SQLite connection while work is queued: callers that need the
/// connection themselves wait for <see cref="WaitIdle"/> first.
/// </summary>
internal sealed class BatchPump : IDisposable
{
    readonly BlockingCollection<Action> _queue;
    readonly Thread _thread;
    readonly object _gate = new();
    int _pending;
    ExceptionDispatchInfo? _failure;

    public BatchPump(int capacity)
    {
        _queue = new BlockingCollection<Action>(new ConcurrentQueue<Action>(), capacity);
        _thread = new Thread(Run) { IsBackground = true, Name = "Migration SQLite writer" };
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
    public void WaitIdle()
    {
        lock (_gate)
            while (_pending > 0) Monitor.Wait(_gate);
        ThrowIfFailed();
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
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }
}
