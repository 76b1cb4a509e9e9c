namespace Migration.Engine.Integrity;

/// <summary>
/// The 128-bit hash of one canonical encoding: XXH3-128 in one pass over the bytes. 128 bits make
/// an accidental collision negligible even over billions of rows, and a table's content hash is
/// the sum of its rows' hashes mod 2^128, so row order does not matter while a lost, extra or
/// duplicated row does.
/// </summary>
static class ContentHash
{
    // Seed 0, not a fixed private seed: the hash must be the same in every process and on both
    // sides, and a seed everyone can read in this file adds nothing against accidental collisions
    // (it was there to make two xxHash64 halves independent, which one 128-bit hash does not need).
    // Seed 0 also keeps long rows on the reference's default secret (no derived secret per call),
    // and a row's hash is what `xxhsum -H2` prints for its canonical bytes, which helps when
    // chasing a mismatch by hand.
    public static UInt128 Of(ReadOnlySpan<byte> canonical) => System.IO.Hashing.XxHash128.HashToUInt128(canonical);

    /// <summary>
    /// Names this hash and the canonical form it is taken over. A checksum kept for later (the
    /// journal's per-table running checksum) carries it, so a build that hashes differently
    /// knows it cannot compare, instead of taking every table for changed.
    /// </summary>
    public const string Scheme = "xxh3-128/utf16";

    /// <summary>A checksum to keep: <c>scheme:hex</c>.</summary>
    public static string ToStored(UInt128 value) => Scheme + ":" + ToHex(value);

    /// <summary>Reads a kept checksum back; false when it was written under another scheme (or is not one).</summary>
    public static bool TryParseStored(string stored, out UInt128 value)
    {
        value = UInt128.Zero;
        return stored.StartsWith(Scheme + ":", StringComparison.Ordinal)
            && UInt128.TryParse(stored.AsSpan(Scheme.Length + 1), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>32 lowercase hex digits, for results and messages.</summary>
    public static string ToHex(UInt128 value) =>
        ((ulong)(value >> 64)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture)
        + ((ulong)value).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
