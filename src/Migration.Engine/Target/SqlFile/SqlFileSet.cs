using System.Globalization;
using System.Text;

namespace Migration.Engine.Target.SqlFile;

/// <summary>
/// The numbered <c>.sql</c> files of one load: <c>0001.sql</c>, <c>0002.sql</c>, ... in a folder,
/// or <c>name-0001.sql</c>, ... beside a given <c>name.sql</c> (renamed to <c>name.sql</c> when one
/// file was enough). A file is written as <c>*.partial</c> and renamed when it is closed, so a
/// load that dies leaves no file that ends mid-statement under a name wrangler would be given.
/// Statements are whole and end with <c>;</c> and a newline; a new file starts when the next
/// statement would take this one past <see cref="MaxFileBytes"/>.
/// </summary>
public sealed class SqlFileSet : IDisposable
{
    /// <summary>
    /// 25 MB per file. wrangler sends each file as ONE D1 import, which blocks the database while it
    /// runs and lands or reverts as a whole; users saw large imports die (after 100k-300k
    /// statements, or on D1's CPU limit). 25 MB is at most a few hundred full 100 KB statements (far
    /// inside that), few enough files for a large load, and a failed file costs little to retry.
    /// </summary>
    public const long DefaultMaxFileBytes = 25_000_000;

    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    readonly string _directory;
    readonly string? _singleName;
    readonly List<string> _files = [];
    FileStream? _stream;
    string? _partial;
    long _bytes;
    int _statementsInFile;

    public SqlFileSet(string path, long maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (maxFileBytes < 200_000) throw new ArgumentOutOfRangeException(nameof(maxFileBytes), maxFileBytes, "A file must hold at least two full statements (200,000 bytes).");
        MaxFileBytes = maxFileBytes;
        var full = System.IO.Path.GetFullPath(path);
        if (IsFilePath(full))
        {
            _directory = System.IO.Path.GetDirectoryName(full)!;
            _singleName = System.IO.Path.GetFileNameWithoutExtension(full);
        }
        else _directory = full;
    }

    /// <summary>Whether the path names one <c>.sql</c> file (else a folder).</summary>
    public static bool IsFilePath(string path) => path.EndsWith(".sql", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why the files cannot be written there (null when they can): a folder that holds <c>.sql</c>
    /// files already (a leftover <c>0003.sql</c> of a longer earlier run would be applied with the
    /// new ones), or a file that exists. Checked before anything is written.
    /// </summary>
    public static string? Problem(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (IsFilePath(full))
        {
            if (Directory.Exists(full)) return $"{full} is a folder; give a folder without the .sql ending, or a file path.";
            var dir = System.IO.Path.GetDirectoryName(full)!;
            var name = System.IO.Path.GetFileNameWithoutExtension(full);
            if (File.Exists(full)) return $"{full} exists; the .sql files are never written over (remove it or give another path).";
            if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, name + "-*.sql").FirstOrDefault() is { } other)
                return $"{other} exists; the numbered files beside {full} are never written over (remove them or give another path).";
            return null;
        }
        if (File.Exists(full)) return $"{full} is a file; give a folder, or a path ending .sql.";
        if (Directory.Exists(full) && Directory.EnumerateFiles(full, "*.sql").FirstOrDefault() is { } existing)
            return $"The folder {full} holds .sql files already ({System.IO.Path.GetFileName(existing)}); give an empty folder, so that no earlier file is applied with these.";
        return null;
    }

    public long MaxFileBytes { get; }

    /// <summary>The files closed so far, in the order they are to be executed.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Statements in the open file (0 right after a new file started).</summary>
    public int StatementsInFile => _statementsInFile;

    /// <summary>Starts a new file when <paramref name="bytes"/> more would take the open one past the size (never for its first statement).</summary>
    public bool NeedsNewFile(long bytes) => _stream is null || (_statementsInFile > 0 && _bytes + bytes > MaxFileBytes);

    /// <summary>Opens the next numbered file and writes its header.</summary>
    public void StartFile()
    {
        Close();
        Directory.CreateDirectory(_directory);
        var number = (_files.Count + 1).ToString("D4", CultureInfo.InvariantCulture);
        _partial = System.IO.Path.Combine(_directory, (_singleName is null ? number : _singleName + "-" + number) + ".sql.partial");
        _stream = new FileStream(_partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _bytes = 0;
        _statementsInFile = 0;
        Raw($"-- Written by Import-D1Batch -SqlPath: file {number}. Apply the files in order, e.g.\n"
            + "--   wrangler d1 execute <database> --remote --file <this file>\n"
            + "-- Each file is one D1 import (lands whole or not at all). No transaction statements: D1 refuses them.\n");
    }

    /// <summary>Writes one statement (without its <c>;</c>) to the open file.</summary>
    public void Statement(string sql)
    {
        if (_stream is null) throw new InvalidOperationException("No file is open.");
        Raw(sql + ";\n");
        _statementsInFile++;
    }

    /// <summary>The bytes a statement takes in a file.</summary>
    public static long SizeOf(string sql) => Utf8.GetByteCount(sql) + 2;

    void Raw(string text)
    {
        var bytes = Utf8.GetBytes(text);
        _stream!.Write(bytes);
        _bytes += bytes.Length;
    }

    /// <summary>Closes the open file under its final name.</summary>
    public void Close()
    {
        if (_stream is null) return;
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _stream = null;
        var final = _partial![..^".partial".Length];
        File.Move(_partial, final);
        _files.Add(final);
        _partial = null;
    }

    /// <summary>Closes the last file; one file beside a given <c>name.sql</c> takes that name.</summary>
    public void Finish()
    {
        Close();
        if (_singleName is not null && _files.Count == 1)
        {
            var single = System.IO.Path.Combine(_directory, _singleName + ".sql");
            File.Move(_files[0], single);
            _files[0] = single;
        }
    }

    /// <summary>A file still open (the load failed) is deleted: it may end mid-batch. Closed files stay: each is whole.</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        _stream.Dispose();
        _stream = null;
        try { File.Delete(_partial!); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
