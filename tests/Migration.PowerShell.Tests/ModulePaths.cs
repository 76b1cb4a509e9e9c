namespace Migration.PowerShell.Tests;

/// <summary>Where the repository, the assembled module and the SDK reference assembly are.</summary>
public static class ModulePaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ModuleFolder => Path.Combine(RepoRoot, "out", "Migration");

    public static string CmdletAssembly => Path.Combine(ModuleFolder, "Migration.PowerShell.dll");

    public static string EngineAssembly => Path.Combine(ModuleFolder, "Migration.Engine.dll");

    public static string RootManifest => Path.Combine(RepoRoot, "Migration.psd1");

    public static string ModuleManifest => Path.Combine(ModuleFolder, "Migration.psd1");

    public static string HelpFile => Path.Combine(ModuleFolder, "en-US", "Migration.PowerShell.dll-Help.xml");

    public static string TypesFile => Path.Combine(ModuleFolder, "Migration.types.ps1xml");

    public static string FormatFile => Path.Combine(ModuleFolder, "Migration.format.ps1xml");

    /// <summary>PowerShellStandard.Library's System.Management.Automation.dll (metadata only).</summary>
    public static string SmaReferenceAssembly { get; } = FindSma();

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Migration.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Migration.sln above {AppContext.BaseDirectory}.");
    }

    static string FindSma()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "powershellstandard.library", "5.1.0-preview-06", "lib", "netstandard2.0", "System.Management.Automation.dll");
        if (!File.Exists(path)) throw new FileNotFoundException("PowerShellStandard.Library is not restored (build src/Migration.PowerShell first).", path);
        return path;
    }
}
