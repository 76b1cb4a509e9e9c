namespace Migration.Engine.Integrity;

/// <summary>
/// The 128-bit hash of one canonical encoding: two xxHash64 values under different seeds. Two
/// 64-bit halves make an accidental collision as unlikely as a 128-bit hash would, and a table's
/// content hash is the sum of its rows' hashes mod 2^128, so row order does not matter while a
/// lost, extra or duplicated row does.
/// </summary>
static class ContentHash
{
    // Arbitrary fixed seeds: the hash must be the same in every process and on both sides.
    const ulong SeedHigh = 0x6D69677261746531UL;
    const ulong SeedLow = 0x696E746567726974UL;

    public static UInt128 Of(ReadOnlySpan<byte> canonical) =>
        new(XxHash64.Hash(canonical, SeedHigh), XxHash64.Hash(canonical, SeedLow));

    /// <summary>32 lowercase hex digits, for results and messages.</summary>
    public static string ToHex(UInt128 value) =>
        ((ulong)(value >> 64)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture)
        + ((ulong)value).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
