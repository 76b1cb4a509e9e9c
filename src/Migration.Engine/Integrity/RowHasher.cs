namespace Migration.Engine.Integrity;

/// <summary>
/// Hashes one row on either side into (key hash, row hash): the key hash picks the row's digest
/// bucket and matches rows across sides; the row hash covers every column. A table without a key
/// uses the whole row as its key. Reuses its buffers: no allocation per row.
/// </summary>
sealed class RowHasher
{
    readonly CanonicalEncoder _row = new();
    readonly CanonicalEncoder _key = new();
    readonly IReadOnlyList<string> _columns;
    readonly IReadOnlyList<int> _keyOrdinals;

    public RowHasher(IReadOnlyList<string> columns, IReadOnlyList<int> keyOrdinals)
    {
        _columns = columns;
        _keyOrdinals = keyOrdinals.Count > 0 ? keyOrdinals : [.. Enumerable.Range(0, columns.Count)];
        IsKeyless = keyOrdinals.Count == 0;
    }

    /// <summary>True when the table has no key and the whole row stands for it.</summary>
    public bool IsKeyless { get; }

    public IReadOnlyList<int> KeyOrdinals => _keyOrdinals;

    public (UInt128 Key, UInt128 Row) Hash(object?[] values)
    {
        _row.Reset();
        for (var i = 0; i < _columns.Count; i++) _row.AppendValue(values[i], _columns[i]);
        if (IsKeyless) { var h = ContentHash.Of(_row.Written); return (h, h); }
        _key.Reset();
        foreach (var k in _keyOrdinals) _key.AppendValue(values[k], _columns[k]);
        return (ContentHash.Of(_key.Written), ContentHash.Of(_row.Written));
    }

    public (UInt128 Key, UInt128 Row) Hash(TargetTableReader reader)
    {
        _row.Reset();
        for (var i = 0; i < _columns.Count; i++) reader.AppendTo(_row, i);
        if (IsKeyless) { var h = ContentHash.Of(_row.Written); return (h, h); }
        _key.Reset();
        foreach (var k in _keyOrdinals) reader.AppendTo(_key, k);
        return (ContentHash.Of(_key.Written), ContentHash.Of(_row.Written));
    }

    public string DescribeKey(object?[] values) => DifferenceFinder.DescribeKey(_columns, _keyOrdinals, values);
}
