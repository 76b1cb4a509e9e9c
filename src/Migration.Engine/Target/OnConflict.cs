namespace Migration.Engine.Target;

/// <summary>What an insert does when the primary key or a unique key already holds the row.</summary>
public enum OnConflict
{
    /// <summary>
    /// The row fails (and is reported); the others go on. A table that was there before the load
    /// and already holds keys of its first batch is refused as a whole, in one error (a re-run
    /// without -OnConflict, or the wrong target): see <c>TableWriter.RefuseIfKeysExist</c>.
    /// </summary>
    Abort,
    /// <summary>The existing row stays; the new one is counted as skipped.</summary>
    Ignore,
    /// <summary>SQLite's REPLACE: the existing row is deleted and the new one inserted.</summary>
    Replace,
    /// <summary>INSERT ... ON CONFLICT(primary key) DO UPDATE: re-runs are idempotent.</summary>
    Upsert,
}
