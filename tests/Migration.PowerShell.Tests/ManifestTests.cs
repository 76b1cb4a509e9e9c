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

    [Fact]
    public void The_module_manifest_references_files_that_exist_after_the_build()
    {
        var manifest = Load("module");
        var files = new List<string> { manifest.String("RootModule") };
        files.AddRange(manifest.Array("RequiredAssemblies"));
        files.AddRange(manifest.Array("TypesToProcess"));
        files.AddRange(manifest.Array("FormatsToProcess"));
        Assert.Equal(5, files.Count);
        foreach (var f in files)
        {
            Assert.False(Path.IsPathRooted(f), $"module manifest: {f} must be relative to the manifest.");
            Assert.True(File.Exists(Path.Combine(ModulePaths.ModuleFolder, f)), $"out/Migration: {f} does not exist.");
        }
        Assert.Equal("Migration.PowerShell.dll", manifest.String("RootModule"));
    }

    /// <summary>
    /// The root manifest's root module is the built folder's manifest: the module's base is then
    /// out/Migration, where PowerShell looks for the help, and both load the very same files.
    /// </summary>
    [Fact]
    public void The_root_manifest_loads_the_built_module_manifest_and_nothing_else()
    {
        var root = Load("root");
        Assert.Equal("out/Migration/Migration.psd1", root.String("RootModule"));
        Assert.True(File.Exists(Path.Combine(root.Directory, root.String("RootModule"))), "out/Migration/Migration.psd1 does not exist after the build.");
        foreach (var key in new[] { "RequiredAssemblies", "TypesToProcess", "FormatsToProcess", "NestedModules" })
            Assert.False(root.Has(key), $"the root manifest must not load {key} itself: out/Migration/Migration.psd1 does.");
    }
}
