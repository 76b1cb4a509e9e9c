using System.Runtime.InteropServices;
using Xunit;

namespace Migration.PowerShell.Tests;

public sealed class ModuleFolderTests : IClassFixture<ModuleMetadataFixture>
{
    readonly ModuleMetadata _module;

    public ModuleFolderTests(ModuleMetadataFixture fixture) => _module = fixture.Module;

    [Theory]
    [InlineData("linux-x64", "libe_sqlite3.so")]
    [InlineData("win-x64", "e_sqlite3.dll")]
    [InlineData("osx-x64", "libe_sqlite3.dylib")]
    [InlineData("osx-arm64", "libe_sqlite3.dylib")]
    public void Holds_the_native_SQLite_library_for_each_platform(string rid, string file)
    {
        var path = Path.Combine(ModulePaths.ModuleFolder, "runtimes", rid, "native", file);
        Assert.True(File.Exists(path), $"{path} is missing.");
        Assert.True(new FileInfo(path).Length > 500_000, $"{path} is too small to be SQLite.");
    }

    [Fact]
    public unsafe void The_native_library_for_this_machine_loads_and_is_SQLite()
    {
        // The same choice NativeLibraryResolver makes in pwsh: <os>-<arch>/native/<file>.
        var (os, file) = OperatingSystem.IsWindows() ? ("win", "e_sqlite3.dll")
            : OperatingSystem.IsMacOS() ? ("osx", "libe_sqlite3.dylib")
            : ("linux", "libe_sqlite3.so");
        var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        var path = Path.Combine(ModulePaths.ModuleFolder, "runtimes", $"{os}-{arch}", "native", file);
        var handle = NativeLibrary.Load(path);
        try
        {
            var version = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "sqlite3_libversion_number");
            Assert.True(version() >= 3_040_000, $"SQLite {version()} is older than 3.40.");
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    [Fact]
    public void The_native_resolver_covers_every_shipped_assembly_that_calls_SQLite_directly()
    {
        // pwsh does not probe runtimes/<rid>/native: an assembly with e_sqlite3 P/Invokes that
        // NativeLibraryResolver does not cover fails with "Unable to load shared library".
        var callers = Directory.GetFiles(ModulePaths.ModuleFolder, "*.dll")
            .Where(CallsSqliteDirectly)
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal);
        Assert.Equal(["Migration.Engine", "SQLitePCLRaw.provider.e_sqlite3"], callers);
    }

    static bool CallsSqliteDirectly(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        if (!pe.HasMetadata) return false;
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var count = System.Reflection.Metadata.Ecma335.MetadataReaderExtensions.GetTableRowCount(md, System.Reflection.Metadata.Ecma335.TableIndex.ModuleRef);
        return Enumerable.Range(1, count)
            .Select(System.Reflection.Metadata.Ecma335.MetadataTokens.ModuleReferenceHandle)
            .Any(h => md.GetString(md.GetModuleReference(h).Name) == "e_sqlite3");
    }

    [Theory]
    [InlineData("Npgsql.dll")]
    [InlineData("Microsoft.Data.Sqlite.dll")]
    [InlineData("SQLitePCLRaw.core.dll")]
    // Loaded by Microsoft.Data.Sqlite through reflection, so no metadata reference leads to it.
    [InlineData("SQLitePCLRaw.batteries_v2.dll")]
    [InlineData("SQLitePCLRaw.provider.e_sqlite3.dll")]
    [InlineData("CsvHelper.dll")]
    [InlineData("System.IO.Hashing.dll")]
    public void Ships_the_engine_dependencies(string file) =>
        Assert.True(File.Exists(Path.Combine(ModulePaths.ModuleFolder, file)), $"{file} is not in out/Migration.");

    [Fact]
    public void Never_ships_System_Management_Automation()
    {
        var found = Directory.GetFiles(ModulePaths.ModuleFolder, "System.Management.Automation*.dll", SearchOption.AllDirectories);
        Assert.Empty(found);
    }

    [Fact]
    public void Ships_every_assembly_the_module_references()
    {
        // Walk the references from the cmdlet assembly; each must be in the runtime, in the
        // SDK (PowerShell provides it) or in the module folder.
        var runtime = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var shipped = Directory.GetFiles(ModulePaths.ModuleFolder, "*.dll")
            .Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<System.Reflection.Assembly>([_module.Cmdlets]);
        while (queue.Count > 0)
        {
            foreach (var reference in queue.Dequeue().GetReferencedAssemblies())
            {
                var name = reference.Name!;
                if (!seen.Add(name) || name == "System.Management.Automation" || name is "netstandard" or "mscorlib") continue;
                if (shipped.Contains(name))
                {
                    queue.Enqueue(_module.Load(name));
                    continue;
                }
                Assert.True(runtime.Contains(name), $"{name} is referenced but neither shipped in out/Migration nor part of .NET.");
            }
        }
        Assert.Contains("Migration.Engine", seen);
        // The provider whose P/Invokes NativeLibraryResolver redirects.
        Assert.Contains("SQLitePCLRaw.provider.e_sqlite3", seen);
    }
}
