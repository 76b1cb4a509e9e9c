using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Migration.Engine.Integrity;

/// <summary>
/// XXH3-128 (Yann Collet's XXH3_128bits / XXH3_128bits_withSeed, xxHash 0.8 output): a fast
/// non-cryptographic 128-bit hash in one pass. Written here because System.IO.Hashing is not
/// available to this build; checked against the reference <c>xxhsum -H2</c> (seed 0) and against
/// libxxhash's <c>XXH3_128bits_withSeed</c> (other seeds) in the tests. Allocation-free: it hashes
/// a span, and the seeded secret of a long input lives on the stack.
/// </summary>
/// <remarks>
/// The result is <c>new UInt128(high64, low64)</c> of the reference's XXH128_hash_t, so its 32 hex
/// digits, high half first, are what <c>xxhsum -H2</c> prints (the canonical big-endian form).
/// Inputs up to 240 bytes take straight-line scalar paths (16-byte chunks, one 64x64->128 multiply
/// each, no per-byte loop); longer ones run the 64-byte stripe loop, vectorised with AVX2 or SSE2
/// where the CPU has them. Other CPUs (ARM64 among them) take the scalar loop, with the same result.
/// </remarks>
static class XxHash128
{
    const ulong P32_1 = 0x9E3779B1UL;
    const ulong P32_2 = 0x85EBCA77UL;
    const ulong P32_3 = 0xC2B2AE3DUL;
    const ulong P64_1 = 0x9E3779B185EBCA87UL;
    const ulong P64_2 = 0xC2B2AE3D27D4EB4FUL;
    const ulong P64_3 = 0x165667B19E3779F9UL;
    const ulong P64_4 = 0x85EBCA77C2B2AE63UL;
    const ulong P64_5 = 0x27D4EB2F165667C5UL;

    const int SecretSize = 192;        // XXH_SECRET_DEFAULT_SIZE
    const int SecretSizeMin = 136;     // XXH3_SECRET_SIZE_MIN: the mid-size path's last read is anchored on it
    const int StripeLength = 64;
    const int SecretConsumeRate = 8;   // each stripe shifts its secret window by 8 bytes
    const int StripesPerBlock = (SecretSize - StripeLength) / SecretConsumeRate;   // 16
    const int BlockLength = StripeLength * StripesPerBlock;                       // 1024
    const int MidSizeMax = 240;
    const int MidSizeStartOffset = 3;
    const int MidSizeLastOffset = 17;
    const int SecretLastAccStart = 7;      // the last stripe's secret is not 8-aligned, so it differs from the others
    const int SecretMergeAccsStart = 11;   // likewise for the merge

    /// <summary>The reference's default secret (kSecret, taken from FARSH). Compiled into the assembly's data: no allocation.</summary>
    static ReadOnlySpan<byte> DefaultSecret =>
    [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ];

    public static UInt128 Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ref var input = ref MemoryMarshal.GetReference(data);
        ref var secret = ref MemoryMarshal.GetReference(DefaultSecret);
        var len = data.Length;
        if (len <= 16) return Len0To16(ref input, len, ref secret, seed);
        if (len <= 128) return Len17To128(ref input, len, ref secret, seed);
        if (len <= MidSizeMax) return Len129To240(ref input, len, ref secret, seed);
        if (seed == 0) return HashLong(ref input, len, ref secret);
        return HashLongSeeded(ref input, len, seed);
    }

    // Only the long path applies the seed through the secret (short ones add it arithmetically),
    // as the reference does. A separate method keeps the 192-byte stackalloc off the common paths.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static UInt128 HashLongSeeded(ref byte input, int len, ulong seed)
    {
        Span<byte> custom = stackalloc byte[SecretSize];
        DeriveSecret(seed, custom);
        return HashLong(ref input, len, ref MemoryMarshal.GetReference(custom));
    }

    /// <summary>XXH3_initCustomSecret: each 16-byte pair of the default secret becomes (lo + seed, hi - seed).</summary>
    static void DeriveSecret(ulong seed, Span<byte> destination)
    {
        var source = DefaultSecret;
        for (var i = 0; i < SecretSize; i += 16)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], BinaryPrimitives.ReadUInt64LittleEndian(source[i..]) + seed);
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(i + 8)..], BinaryPrimitives.ReadUInt64LittleEndian(source[(i + 8)..]) - seed);
        }
    }

    // ---- 0 to 16 bytes ----

    static UInt128 Len0To16(ref byte input, int len, ref byte secret, ulong seed)
    {
        if (len > 8) return Len9To16(ref input, len, ref secret, seed);
        if (len >= 4) return Len4To8(ref input, len, ref secret, seed);
        if (len > 0) return Len1To3(ref input, len, ref secret, seed);
        var low = Xxh64Avalanche(seed ^ Read64(ref secret, 64) ^ Read64(ref secret, 72));
        var high = Xxh64Avalanche(seed ^ Read64(ref secret, 80) ^ Read64(ref secret, 88));
        return new UInt128(high, low);
    }

    static UInt128 Len1To3(ref byte input, int len, ref byte secret, ulong seed)
    {
        // One 32-bit word holds all of 1 to 3 bytes plus the length: { last, len, first, middle }.
        uint c1 = input, c2 = Unsafe.Add(ref input, len >> 1), c3 = Unsafe.Add(ref input, len - 1);
        var combinedLow = (c1 << 16) | (c2 << 24) | c3 | ((uint)len << 8);
        var combinedHigh = BitOperations.RotateLeft(BinaryPrimitives.ReverseEndianness(combinedLow), 13);
        var bitflipLow = (ulong)(Read32(ref secret, 0) ^ Read32(ref secret, 4)) + seed;
        var bitflipHigh = (ulong)(Read32(ref secret, 8) ^ Read32(ref secret, 12)) - seed;
        return new UInt128(Xxh64Avalanche(combinedHigh ^ bitflipHigh), Xxh64Avalanche(combinedLow ^ bitflipLow));
    }

    static UInt128 Len4To8(ref byte input, int len, ref byte secret, ulong seed)
    {
        seed ^= (ulong)BinaryPrimitives.ReverseEndianness((uint)seed) << 32;
        // The first and last four bytes (overlapping when len < 8) cover the input.
        var input64 = Read32(ref input, 0) + ((ulong)Read32(ref input, len - 4) << 32);
        var keyed = input64 ^ ((Read64(ref secret, 16) ^ Read64(ref secret, 24)) + seed);
        // len << 2 keeps the multiplier odd whatever the length.
        var high = Math.BigMul(keyed, P64_1 + ((ulong)len << 2), out var low);
        high += low << 1;
        low ^= high >> 3;
        low ^= low >> 35;
        low *= 0x9FB21C651E98DF25UL;
        low ^= low >> 28;
        return new UInt128(Avalanche(high), low);
    }

    static UInt128 Len9To16(ref byte input, int len, ref byte secret, ulong seed)
    {
        var bitflipLow = (Read64(ref secret, 32) ^ Read64(ref secret, 40)) - seed;
        var bitflipHigh = (Read64(ref secret, 48) ^ Read64(ref secret, 56)) + seed;
        var inputLow = Read64(ref input, 0);
        var inputHigh = Read64(ref input, len - 8);
        var mHigh = Math.BigMul(inputLow ^ inputHigh ^ bitflipLow, P64_1, out var mLow);
        // The length sits mid-word so the 128x64 multiply below carries it into both halves.
        mLow += (ulong)(len - 1) << 54;
        inputHigh ^= bitflipHigh;
        // The reference's 64-bit form of: high += (inputHigh & 0xFFFFFFFF00000000) + (uint)inputHigh * P32_2.
        mHigh += inputHigh + (ulong)(uint)inputHigh * (P32_2 - 1);
        mLow ^= BinaryPrimitives.ReverseEndianness(mHigh);
        // (mHigh:mLow) * P64_2, keeping the low 128 bits.
        var hHigh = Math.BigMul(mLow, P64_2, out var hLow);
        hHigh += mHigh * P64_2;
        return new UInt128(Avalanche(hHigh), Avalanche(hLow));
    }

    // ---- 17 to 240 bytes ----

    static UInt128 Len17To128(ref byte input, int len, ref byte secret, ulong seed)
    {
        // Pairs of 16-byte chunks from both ends, meeting in the middle (they overlap for lengths
        // that are not multiples of 32): every byte is read, with no tail loop.
        var low = (ulong)len * P64_1;
        ulong high = 0;
        if (len > 32)
        {
            if (len > 64)
            {
                if (len > 96) Mix32(ref low, ref high, ref Unsafe.Add(ref input, 48), ref Unsafe.Add(ref input, len - 64), ref Unsafe.Add(ref secret, 96), seed);
                Mix32(ref low, ref high, ref Unsafe.Add(ref input, 32), ref Unsafe.Add(ref input, len - 48), ref Unsafe.Add(ref secret, 64), seed);
            }
            Mix32(ref low, ref high, ref Unsafe.Add(ref input, 16), ref Unsafe.Add(ref input, len - 32), ref Unsafe.Add(ref secret, 32), seed);
        }
        Mix32(ref low, ref high, ref input, ref Unsafe.Add(ref input, len - 16), ref secret, seed);
        return FinishMid(low, high, len, seed);
    }

    static UInt128 Len129To240(ref byte input, int len, ref byte secret, ulong seed)
    {
        var low = (ulong)len * P64_1;
        ulong high = 0;
        for (var i = 0; i < 128; i += 32)
            Mix32(ref low, ref high, ref Unsafe.Add(ref input, i), ref Unsafe.Add(ref input, i + 16), ref Unsafe.Add(ref secret, i), seed);
        low = Avalanche(low);
        high = Avalanche(high);
        // The secret has only 192 bytes: chunks past the first 128 reuse it from a 3-byte offset.
        var rounds = len / 32;
        for (var i = 4; i < rounds; i++)
            Mix32(ref low, ref high, ref Unsafe.Add(ref input, 32 * i), ref Unsafe.Add(ref input, 32 * i + 16),
                ref Unsafe.Add(ref secret, MidSizeStartOffset + 32 * (i - 4)), seed);
        // The last 32 bytes, whole rounds or not, in reverse order and with the seed negated.
        Mix32(ref low, ref high, ref Unsafe.Add(ref input, len - 16), ref Unsafe.Add(ref input, len - 32),
            ref Unsafe.Add(ref secret, SecretSizeMin - MidSizeLastOffset - 16), 0UL - seed);
        return FinishMid(low, high, len, seed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static UInt128 FinishMid(ulong low, ulong high, int len, ulong seed)
    {
        var h128Low = low + high;
        var h128High = low * P64_1 + high * P64_4 + ((ulong)len - seed) * P64_2;
        return new UInt128(0UL - Avalanche(h128High), Avalanche(h128Low));
    }

    /// <summary>XXH128_mix32B: each half takes one chunk's multiply and the other chunk's plain sum, so a zero product cannot erase input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Mix32(ref ulong low, ref ulong high, ref byte input1, ref byte input2, ref byte secret, ulong seed)
    {
        low += Mix16(ref input1, ref secret, seed);
        low ^= Read64(ref input2, 0) + Read64(ref input2, 8);
        high += Mix16(ref input2, ref Unsafe.Add(ref secret, 16), seed);
        high ^= Read64(ref input1, 0) + Read64(ref input1, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Mix16(ref byte input, ref byte secret, ulong seed) =>
        MulFold64(Read64(ref input, 0) ^ (Read64(ref secret, 0) + seed), Read64(ref input, 8) ^ (Read64(ref secret, 8) - seed));

    // ---- more than 240 bytes ----

    static UInt128 HashLong(ref byte input, int len, ref byte secret)
    {
        Span<ulong> acc = stackalloc ulong[8];
        acc[0] = P32_3; acc[1] = P64_1; acc[2] = P64_2; acc[3] = P64_3;
        acc[4] = P64_4; acc[5] = P32_2; acc[6] = P64_5; acc[7] = P32_1;
        ref var accRef = ref MemoryMarshal.GetReference(acc);
        if (Avx2.IsSupported) LoopAvx2(ref accRef, ref input, len, ref secret);
        else if (Sse2.IsSupported) LoopSse2(ref accRef, ref input, len, ref secret);
        else LoopScalar(ref accRef, ref input, len, ref secret);

        var low = MergeAccs(ref accRef, ref Unsafe.Add(ref secret, SecretMergeAccsStart), (ulong)len * P64_1);
        var high = MergeAccs(ref accRef, ref Unsafe.Add(ref secret, SecretSize - StripeLength - SecretMergeAccsStart), ~((ulong)len * P64_2));
        return new UInt128(high, low);
    }

    // The loop, identical in the three forms: whole 1024-byte blocks, each stripe with the secret
    // shifted by 8 bytes and the accumulators scrambled after each block; then the stripes of the
    // last partial block; then the input's last 64 bytes (overlapping, when the length is not a
    // multiple of 64) with their own secret offset. (len - 1) keeps a final full stripe out of the
    // blocks, since the last-stripe step always covers it.

    static void LoopAvx2(ref ulong accRef, ref byte input, int len, ref byte secret)
    {
        var acc0 = Vector256.LoadUnsafe(ref accRef);
        var acc1 = Vector256.LoadUnsafe(ref accRef, 4);
        var blocks = (len - 1) / BlockLength;
        ref var scrambleKey = ref Unsafe.Add(ref secret, SecretSize - StripeLength);
        for (var b = 0; b < blocks; b++)
        {
            ref var block = ref Unsafe.Add(ref input, b * BlockLength);
            for (var s = 0; s < StripesPerBlock; s++)
                StripeAvx2(ref acc0, ref acc1, ref Unsafe.Add(ref block, s * StripeLength), ref Unsafe.Add(ref secret, s * SecretConsumeRate));
            acc0 = ScrambleAvx2(acc0, ref scrambleKey);
            acc1 = ScrambleAvx2(acc1, ref Unsafe.Add(ref scrambleKey, 32));
        }
        ref var last = ref Unsafe.Add(ref input, blocks * BlockLength);
        var stripes = (len - 1 - blocks * BlockLength) / StripeLength;
        for (var s = 0; s < stripes; s++)
            StripeAvx2(ref acc0, ref acc1, ref Unsafe.Add(ref last, s * StripeLength), ref Unsafe.Add(ref secret, s * SecretConsumeRate));
        StripeAvx2(ref acc0, ref acc1, ref Unsafe.Add(ref input, len - StripeLength), ref Unsafe.Add(ref secret, SecretSize - StripeLength - SecretLastAccStart));
        acc0.StoreUnsafe(ref accRef);
        acc1.StoreUnsafe(ref accRef, 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StripeAvx2(ref Vector256<ulong> acc0, ref Vector256<ulong> acc1, ref byte stripe, ref byte secret)
    {
        acc0 = AccumulateAvx2(acc0, Vector256.LoadUnsafe(ref stripe).AsUInt64(), Vector256.LoadUnsafe(ref secret).AsUInt64());
        acc1 = AccumulateAvx2(acc1, Vector256.LoadUnsafe(ref stripe, 32).AsUInt64(), Vector256.LoadUnsafe(ref secret, 32).AsUInt64());
    }

    /// <summary>Per 64-bit lane: acc[i ^ 1] += data[i]; acc[i] += lo32(data ^ key) * hi32(data ^ key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<ulong> AccumulateAvx2(Vector256<ulong> acc, Vector256<ulong> data, Vector256<ulong> key)
    {
        var keyed = data ^ key;
        // vpmuludq multiplies the low 32 bits of each 64-bit lane into a 64-bit product.
        var product = Avx2.Multiply(keyed.AsUInt32(), Vector256.ShiftRightLogical(keyed, 32).AsUInt32());
        // 0b01_00_11_10 swaps the two 64-bit lanes of each 128-bit half: the data goes to the neighbour lane.
        var swapped = Avx2.Shuffle(data.AsUInt32(), 0b01_00_11_10).AsUInt64();
        return acc + swapped + product;
    }

    /// <summary>Per lane: acc = (acc ^ (acc >> 47) ^ key) * P32_1, the 64x32 multiply split into two 32x32 ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<ulong> ScrambleAvx2(Vector256<ulong> acc, ref byte key)
    {
        var mixed = acc ^ Vector256.ShiftRightLogical(acc, 47) ^ Vector256.LoadUnsafe(ref key).AsUInt64();
        var prime = Vector256.Create(P32_1).AsUInt32();
        var low = Avx2.Multiply(mixed.AsUInt32(), prime);
        var high = Avx2.Multiply(Vector256.ShiftRightLogical(mixed, 32).AsUInt32(), prime);
        return low + Vector256.ShiftLeft(high, 32);
    }

    static void LoopSse2(ref ulong accRef, ref byte input, int len, ref byte secret)
    {
        var acc0 = Vector128.LoadUnsafe(ref accRef);
        var acc1 = Vector128.LoadUnsafe(ref accRef, 2);
        var acc2 = Vector128.LoadUnsafe(ref accRef, 4);
        var acc3 = Vector128.LoadUnsafe(ref accRef, 6);
        var blocks = (len - 1) / BlockLength;
        ref var scrambleKey = ref Unsafe.Add(ref secret, SecretSize - StripeLength);
        for (var b = 0; b < blocks; b++)
        {
            ref var block = ref Unsafe.Add(ref input, b * BlockLength);
            for (var s = 0; s < StripesPerBlock; s++)
                StripeSse2(ref acc0, ref acc1, ref acc2, ref acc3, ref Unsafe.Add(ref block, s * StripeLength), ref Unsafe.Add(ref secret, s * SecretConsumeRate));
            acc0 = ScrambleSse2(acc0, ref scrambleKey);
            acc1 = ScrambleSse2(acc1, ref Unsafe.Add(ref scrambleKey, 16));
            acc2 = ScrambleSse2(acc2, ref Unsafe.Add(ref scrambleKey, 32));
            acc3 = ScrambleSse2(acc3, ref Unsafe.Add(ref scrambleKey, 48));
        }
        ref var last = ref Unsafe.Add(ref input, blocks * BlockLength);
        var stripes = (len - 1 - blocks * BlockLength) / StripeLength;
        for (var s = 0; s < stripes; s++)
            StripeSse2(ref acc0, ref acc1, ref acc2, ref acc3, ref Unsafe.Add(ref last, s * StripeLength), ref Unsafe.Add(ref secret, s * SecretConsumeRate));
        StripeSse2(ref acc0, ref acc1, ref acc2, ref acc3, ref Unsafe.Add(ref input, len - StripeLength), ref Unsafe.Add(ref secret, SecretSize - StripeLength - SecretLastAccStart));
        acc0.StoreUnsafe(ref accRef);
        acc1.StoreUnsafe(ref accRef, 2);
        acc2.StoreUnsafe(ref accRef, 4);
        acc3.StoreUnsafe(ref accRef, 6);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StripeSse2(ref Vector128<ulong> acc0, ref Vector128<ulong> acc1, ref Vector128<ulong> acc2, ref Vector128<ulong> acc3, ref byte stripe, ref byte secret)
    {
        acc0 = AccumulateSse2(acc0, Vector128.LoadUnsafe(ref stripe).AsUInt64(), Vector128.LoadUnsafe(ref secret).AsUInt64());
        acc1 = AccumulateSse2(acc1, Vector128.LoadUnsafe(ref stripe, 16).AsUInt64(), Vector128.LoadUnsafe(ref secret, 16).AsUInt64());
        acc2 = AccumulateSse2(acc2, Vector128.LoadUnsafe(ref stripe, 32).AsUInt64(), Vector128.LoadUnsafe(ref secret, 32).AsUInt64());
        acc3 = AccumulateSse2(acc3, Vector128.LoadUnsafe(ref stripe, 48).AsUInt64(), Vector128.LoadUnsafe(ref secret, 48).AsUInt64());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<ulong> AccumulateSse2(Vector128<ulong> acc, Vector128<ulong> data, Vector128<ulong> key)
    {
        var keyed = data ^ key;
        var product = Sse2.Multiply(keyed.AsUInt32(), Vector128.ShiftRightLogical(keyed, 32).AsUInt32());
        var swapped = Sse2.Shuffle(data.AsUInt32(), 0b01_00_11_10).AsUInt64();
        return acc + swapped + product;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<ulong> ScrambleSse2(Vector128<ulong> acc, ref byte key)
    {
        var mixed = acc ^ Vector128.ShiftRightLogical(acc, 47) ^ Vector128.LoadUnsafe(ref key).AsUInt64();
        var prime = Vector128.Create(P32_1).AsUInt32();
        var low = Sse2.Multiply(mixed.AsUInt32(), prime);
        var high = Sse2.Multiply(Vector128.ShiftRightLogical(mixed, 32).AsUInt32(), prime);
        return low + Vector128.ShiftLeft(high, 32);
    }

    static void LoopScalar(ref ulong accRef, ref byte input, int len, ref byte secret)
    {
        var blocks = (len - 1) / BlockLength;
        ref var scrambleKey = ref Unsafe.Add(ref secret, SecretSize - StripeLength);
        for (var b = 0; b < blocks; b++)
        {
            ref var block = ref Unsafe.Add(ref input, b * BlockLength);
            for (var s = 0; s < StripesPerBlock; s++)
                StripeScalar(ref accRef, ref Unsafe.Add(ref block, s * StripeLength), ref Unsafe.Add(ref secret, s * SecretConsumeRate));
            for (var i = 0; i < 8; i++)
            {
                ref var a = ref Unsafe.Add(ref accRef, i);
                a = (a ^ (a >> 47) ^ Read64(ref scrambleKey, 8 * i)) * P32_1;
            }
        }
        ref var last = ref Unsafe.Add(ref input, blocks * BlockLength);
        var stripes = (len - 1 - blocks * BlockLength) / StripeLength;
        for (var s = 0; s < stripes; s++)
            StripeScalar(ref accRef, ref Unsafe.Add(ref last, s * StripeLength), ref Unsafe.Add(ref secret, s * SecretConsumeRate));
        StripeScalar(ref accRef, ref Unsafe.Add(ref input, len - StripeLength), ref Unsafe.Add(ref secret, SecretSize - StripeLength - SecretLastAccStart));
    }

    // Unrolled by lane pair (the JIT does not unroll the loop): lane i takes lane i ^ 1's data, so a
    // pair reads its 16 bytes once and updates each accumulator once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StripeScalar(ref ulong accRef, ref byte stripe, ref byte secret)
    {
        PairScalar(ref accRef, ref stripe, ref secret);
        PairScalar(ref Unsafe.Add(ref accRef, 2), ref Unsafe.Add(ref stripe, 16), ref Unsafe.Add(ref secret, 16));
        PairScalar(ref Unsafe.Add(ref accRef, 4), ref Unsafe.Add(ref stripe, 32), ref Unsafe.Add(ref secret, 32));
        PairScalar(ref Unsafe.Add(ref accRef, 6), ref Unsafe.Add(ref stripe, 48), ref Unsafe.Add(ref secret, 48));
    }

    /// <summary>Two lanes: acc[i] += data[i ^ 1] + lo32(data[i] ^ key[i]) * hi32(data[i] ^ key[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PairScalar(ref ulong acc, ref byte stripe, ref byte secret)
    {
        var data0 = Read64(ref stripe, 0);
        var data1 = Read64(ref stripe, 8);
        var keyed0 = data0 ^ Read64(ref secret, 0);
        var keyed1 = data1 ^ Read64(ref secret, 8);
        acc += data1 + (keyed0 & 0xFFFFFFFFUL) * (keyed0 >> 32);
        Unsafe.Add(ref acc, 1) += data0 + (keyed1 & 0xFFFFFFFFUL) * (keyed1 >> 32);
    }

    static ulong MergeAccs(ref ulong accRef, ref byte secret, ulong start)
    {
        var result = start;
        for (var i = 0; i < 4; i++)
            result += MulFold64(Unsafe.Add(ref accRef, 2 * i) ^ Read64(ref secret, 16 * i), Unsafe.Add(ref accRef, 2 * i + 1) ^ Read64(ref secret, 16 * i + 8));
        return Avalanche(result);
    }

    // ---- shared steps ----

    /// <summary>XXH3_mul128_fold64: the full 128-bit product, its halves xored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong MulFold64(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }

    /// <summary>XXH3_avalanche: the light finaliser, for input that is already mixed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Avalanche(ulong h)
    {
        h ^= h >> 37;
        h *= 0x165667919E3779F9UL;
        return h ^ (h >> 32);
    }

    /// <summary>XXH64's finaliser, which the 0- to 3-byte paths use.</summary>
    static ulong Xxh64Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= P64_2;
        h ^= h >> 29;
        h *= P64_3;
        return h ^ (h >> 32);
    }

    // Unaligned little-endian reads with no bounds check: every caller's offset is within the
    // span by the length path it is on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Read64(ref byte p, int offset)
    {
        var v = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, offset));
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint Read32(ref byte p, int offset)
    {
        var v = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, offset));
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    }
}
