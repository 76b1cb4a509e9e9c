using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// One table of a <see cref="BufferedRowTarget"/>: its binding, the batch being filled and its
/// figures. The target only switches between tables; how a batch is written is the table's.
/// </summary>
internal interface IBufferedTable
{
    /// <summary>The schema the table's rows are bound with now (see <see cref="Rebind"/>).</summary>
    TableSchema Schema { get; }

    /// <summary>Checks a row and buffers it; writes a batch when one is full.</summary>
    void Add(Row row);

    /// <summary>Writes what is buffered (and counts the rows refused since the last batch).</summary>
    void Flush();

    /// <summary>The same table met again with another schema object (a second set, a re-read definition): flushes, then binds to it.</summary>
    void Rebind(TableSchema next);

    TableSummary Summary();
}
