using System.Diagnostics;
using System.Globalization;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.Cli;

/// <summary>
/// A test hook for the crash-safety proof: <c>MIGRATION_FAULT_AT=point:N</c> makes the process
/// SIGKILL itself at the N-th batch (counted over all tables), at one of three points:
/// <c>before-journal</c> (the batch's rows are written, its journal row is not, the transaction
/// is open), <c>after-journal</c> (the journal row is written too, not yet committed) or
/// <c>after-commit</c> (committed, before the next row is read). Unset, it changes nothing.
/// </summary>
static class FaultInjection
{
    public const string Variable = "MIGRATION_FAULT_AT";

    public static Func<IBatchJournal, IBatchJournal>? FromEnvironment(out Action<BatchResult>? afterCommit)
    {
        afterCommit = null;
        var spec = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(spec)) return null;
        var parts = spec.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var at) || at < 1
            || parts[0] is not ("before-journal" or "after-journal" or "after-commit"))
            throw new ArgumentException($"{Variable} takes before-journal|after-journal|after-commit:N, not '{spec}'.");
        var point = parts[0];
        var seen = 0;
        if (point == "after-commit")
        {
            afterCommit = _ => { if (++seen == at) Die(); };
            return null;
        }
        return inner => new Killer(inner, point, at);
    }

    /// <summary>SIGKILL on Unix: no finally block, no flush, no dispose runs, as in a real crash.</summary>
    static void Die()
    {
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    sealed class Killer(IBatchJournal inner, string point, int at) : IBatchJournal
    {
        int _seen;

        public void RowRefused(Row row, RowError error) => inner.RowRefused(row, error);

        public void PrepareBatch(IReadOnlyList<Row> rows) => inner.PrepareBatch(rows);

        public UInt128 Hash(Row row) => inner.Hash(row);

        public void RecordBatch(IBatchStatements statements, BatchResult batch, IReadOnlyList<Row> rows) =>
            Around(() => inner.RecordBatch(statements, batch, rows));

        public void RecordBatch(IBatchStatements statements, BatchResult batch, BatchDigest digest) =>
            Around(() => inner.RecordBatch(statements, batch, digest));

        void Around(Action record)
        {
            var n = ++_seen;
            if (n == at && point == "before-journal") Die();
            record();
            if (n == at && point == "after-journal") Die();
        }
    }
}
