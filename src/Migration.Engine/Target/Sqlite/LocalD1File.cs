using System.Text;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// Checks a local D1 database path before anything is opened or created, so that a mistake in
/// the path changes nothing on disk (SQLite would otherwise create a file, a journal run or a
/// backup before failing) and the error names the path instead of SQLite's bare error code.
/// </summary>
public static class LocalD1File
{
    static readonly byte[] Header = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>Why the path cannot hold a D1 database, or null when it can (an SQLite file, an empty file, or a new file in an existing folder).</summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path)) return $"\"{path}\" is a folder, not a database file.";
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            return $"The folder \"{folder}\" of \"{path}\" does not exist; create it first (nothing was written).";
        if (!File.Exists(path)) return null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (file.Length == 0) return null; // SQLite treats an empty file as an empty database
        var head = new byte[Header.Length];
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return read == head.Length && head.AsSpan().SequenceEqual(Header)
            ? null
            : $"\"{path}\" is not an SQLite database (its first bytes are not an SQLite header); nothing was written.";
    }
}
