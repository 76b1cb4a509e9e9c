using Migration.Engine.Target;

namespace Migration.Engine.Journal;

/// <summary>
/// The journal's way into the database that holds it (the journal lives in the target itself, so
/// it is exactly as durable as the data). <see cref="JournalStore"/> writes all its SQL through
/// this: reads with <see cref="Query"/>, writes as one all-or-nothing unit with
/// <see cref="Write"/>. Parameters are named <c>$name</c> in the SQL; values are null, long,
/// double, string or byte[]. A local SQLite file (<see cref="SqliteJournalConnection"/>) and a
/// remote D1 over HTTP (<c>Target/RemoteD1/D1JournalConnection</c>) implement it; a PostgreSQL
/// target would translate <c>$name</c> to its own parameters.
/// </summary>
public interface IJournalConnection : IDisposable
{
    /// <summary>Where the journal is, for messages and <see cref="MigrationRunInfo.Path"/>: a file path, or the D1 database.</summary>
    string Location { get; }

    /// <summary>Runs a read; each row's values in the order of the SELECT list (null, long, double, string, byte[]).</summary>
    IReadOnlyList<object?[]> Query(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>Runs the statements <paramref name="write"/> adds as one unit: all commit, or none.</summary>
    void Write(Action<IBatchStatements> write);

    /// <summary>
    /// Runs reads and writes that belong together. Local: one transaction around them. Remote
    /// (one request per call, no transaction across requests): as they come; a run's journal
    /// has one writer at a time.
    /// </summary>
    T Atomically<T>(Func<T> work);
}
