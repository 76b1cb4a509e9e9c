using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The bytes of one row's text and blob parameters, in one pinned buffer, bound with
/// SQLITE_STATIC: SQLite reads them in place during the step instead of copying each value, and
/// .NET's vectorised encoder writes the UTF-8 (faster than SQLite translating UTF-16 itself).
/// </summary>
/// <remarks>
/// A bound pointer stays valid until the parameter is bound again, which happens for every
/// parameter of the next row before its step. So <see cref="Reset"/> (start of a row) may
/// reuse the buffer, and a buffer outgrown mid-row is kept until the following reset, because
/// earlier parameters of that row still point into it.
/// </remarks>
internal sealed unsafe class BindArena
{
    byte[] _buffer = GC.AllocateUninitializedArray<byte>(64 * 1024, pinned: true);
    readonly List<byte[]> _outgrown = [];
    int _used;

    public void Reset()
    {
        _used = 0;
        if (_outgrown.Count > 0) _outgrown.Clear();
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>; never a null pointer, so '' binds as '' and not as NULL.</summary>
    public byte* Utf8(string text, out int length)
    {
        var worst = (long)text.Length * 3;
        var room = worst <= _buffer.Length - _used ? (int)worst : Encoding.UTF8.GetByteCount(text);
        var span = Reserve(room);
        length = Encoding.UTF8.GetBytes(text, span);
        return Commit(length);
    }

    /// <summary>A copy of <paramref name="data"/>; never a null pointer, so an empty blob stays an empty blob.</summary>
    public byte* Copy(byte[] data)
    {
        data.CopyTo(Reserve(data.Length));
        return Commit(data.Length);
    }

    Span<byte> Reserve(int count)
    {
        if (count > _buffer.Length - _used)
        {
            _outgrown.Add(_buffer); // earlier parameters of this row point into it
            _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(count, _buffer.Length * 2), pinned: true);
            _used = 0;
        }
        return _buffer.AsSpan(_used, count);
    }

    byte* Commit(int length)
    {
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer)) + _used;
        _used += length;
        return start;
    }
}
