namespace Migration.Engine.Target;

/// <summary>How rows reach a remote D1 (<c>Import-D1Batch -Method</c>); the local file ignores it.</summary>
public enum D1WriteMethod
{
    /// <summary>
    /// Per table: <see cref="Import"/> for a table the run creates or finds empty when no
    /// -OnConflict mode needs the rows already there; <see cref="Query"/> otherwise. A chunk
    /// small enough for one <c>/query</c> request goes there (one request instead of an import's four).
    /// </summary>
    Auto,

    /// <summary>
    /// Through D1's import API, in chunks that each carry their own journal rows (applied whole
    /// or not at all). Only tables the run creates or finds empty, with -OnConflict Abort;
    /// anything else is refused before a row is written, naming the table.
    /// </summary>
    Import,

    /// <summary>Through <c>/query</c> with <c>{batch:[...]}</c>: one request per batch, values bound.</summary>
    Query,
}
