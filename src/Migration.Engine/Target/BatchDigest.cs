using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// What the journal keeps of a batch written row by row (the local target streams each row into
/// the batch's open transaction instead of holding the batch's rows until the commit): its first
/// and last row sent to the database, how many were sent, and the sum of the checksum hashes
/// (<see cref="IBatchJournal.Hash"/>) of the rows the database took, i.e. all sent but those
/// reported through <see cref="IBatchJournal.RowRefused"/>.
/// </summary>
public sealed class BatchDigest(Row first, Row last, int rows, UInt128 checksum)
{
    public Row First { get; } = first;
    public Row Last { get; } = last;
    public int Rows { get; } = rows;
    public UInt128 Checksum { get; } = checksum;
}
