using Xunit;

namespace Migration.PowerShell.Tests;

public sealed class ManifestTests : IClassFixture<ModuleMetadataFixture>
{
    readonly ModuleMetadata _module;

    public ManifestTests(ModuleMetadataFixture fixture) => _module = fixture.Module;

    public static TheoryData<string> Manifests => new() { "root", "module" };

    static Psd1 Load(string which) =>
        new(which == "root" ? ModulePaths.RootManifest : ModulePaths.ModuleManifest);

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Exports_exactly_the_cmdlets_the_assembly_defines(string which)
    {
        var manifest = Load(which);
        Assert.Equal(
            _module.CmdletTypes().Keys.Order(StringComparer.Ordinal),
            manifest.Array("CmdletsToExport").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(manifest.Array("CmdletsToExport"), n => n.Contains('*'));
        Assert.Empty(manifest.Array("FunctionsToExport"));
        Assert.Empty(manifest.Array("AliasesToExport"));
        Assert.Empty(manifest.Array("VariablesToExport"));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Declares_version_guid_and_edition(string which)
    {
        var manifest = Load(which);
        Assert.Equal("0.1.0", manifest.String("ModuleVersion"));
        Assert.Equal("f1173bde-a214-46fe-beb1-43aca5e0d3ab", manifest.String("GUID"));
        Assert.Equal("7.4", manifest.String("PowerShellVersion"));
        Assert.Equal(["Core"], manifest.Array("CompatiblePSEditions"));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_file_it_references_exists_after_the_build(string which)
    {
        var manifest = Load(which);
        var files = new List<string> { manifest.String("RootModule") };
        files.AddRange(manifest.Array("RequiredAssemblies"));
        files.AddRange(manifest.Array("TypesToProcess"));
        files.AddRange(manifest.Array("FormatsToProcess"));
        Assert.Equal(5, files.Count);
        foreach (var f in files)
        {
            Assert.False(Path.IsPathRooted(f), $"{which} manifest: {f} must be relative to the manifest.");
            Assert.True(File.Exists(Path.Combine(manifest.Directory, f)), $"{which} manifest: {f} does not exist.");
        }
        Assert.Equal("Migration.PowerShell.dll", Path.GetFileName(manifest.String("RootModule")));
    }

    [Fact]
    public void Both_manifests_load_the_same_files_of_out_Migration()
    {
        var root = Load("root");
        var module = Load("module");
        string Full(Psd1 m, string f) => Path.GetFullPath(Path.Combine(m.Directory, f));
        foreach (var key in new[] { "RequiredAssemblies", "TypesToProcess", "FormatsToProcess" })
            Assert.Equal(module.Array(key).Select(f => Full(module, f)), root.Array(key).Select(f => Full(root, f)));
        Assert.Equal(Full(module, module.String("RootModule")), Full(root, root.String("RootModule")));
    }
}
