using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using Migration.Engine.Target.Sqlite;

namespace Migration.PowerShell;

/// <summary>
/// Makes SQLite's native library loadable inside pwsh. pwsh does not probe a module's
/// <c>runtimes/&lt;rid&gt;/native</c> folder, so Microsoft.Data.Sqlite fails with "Unable to load
/// shared library 'e_sqlite3'" (measured on pwsh 7.6). When the module is imported this installs
/// a DllImport resolver on the assemblies that declare <c>e_sqlite3</c> P/Invokes (the SQLitePCLRaw
/// provider, and the engine's writer) that loads the library of this OS and CPU from the module's own
/// folder by full path.
/// </summary>
public sealed class NativeLibraryResolver : IModuleAssemblyInitializer
{
    const string SqliteLibraryName = "e_sqlite3";
    static readonly object Gate = new();
    static bool _installed;

    public void OnImport() => Install();

    /// <summary>Installs the resolver once per process (a module can be removed and imported again).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            // The engine calls the same library directly on its hot path (SqliteNative); both
            // resolve to the one file, so both use the library instance SQLitePCLRaw opened.
            foreach (var assembly in new[] { typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, typeof(Migration.Engine.Target.Sqlite.SqliteTarget).Assembly })
            {
                try
                {
                    NativeLibrary.SetDllImportResolver(assembly, Resolve);
                }
                catch (InvalidOperationException)
                {
                    // Another resolver is already set for this assembly (the host set one): it wins.
                }
            }
            _installed = true;
        }
    }

    static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!string.Equals(libraryName, SqliteLibraryName, StringComparison.Ordinal)) return IntPtr.Zero;
        var path = NativeLibraryPath(ModuleDirectory());
        if (path is not null && NativeLibrary.TryLoad(path, out var handle)) return handle;
        // Zero lets the runtime try its default probing; its error names the library.
        return IntPtr.Zero;
    }

    static string ModuleDirectory() =>
        Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>
    /// The full path of the native SQLite library for this process in <paramref name="moduleDirectory"/>,
    /// or null on a platform the module does not ship a library for.
    /// </summary>
    public static string? NativeLibraryPath(string moduleDirectory)
    {
        var (os, file) =
            OperatingSystem.IsWindows() ? ("win", "e_sqlite3.dll")
            : OperatingSystem.IsMacOS() ? ("osx", "libe_sqlite3.dylib")
            : OperatingSystem.IsLinux() ? ("linux", "libe_sqlite3.so")
            : (null, null);
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            _ => null,
        };
        if (os is null || file is null || arch is null) return null;
        var path = Path.Combine(moduleDirectory, "runtimes", $"{os}-{arch}", "native", file);
        return File.Exists(path) ? path : null;
    }
}
