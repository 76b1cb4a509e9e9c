using System.Reflection;
using Xunit;

namespace Migration.PowerShell.Tests;

public sealed class CmdletSurfaceTests : IClassFixture<ModuleMetadataFixture>
{
    readonly ModuleMetadata _module;

    public CmdletSurfaceTests(ModuleMetadataFixture fixture) => _module = fixture.Module;

    [Fact]
    public void The_assembly_defines_exactly_the_promised_cmdlets()
    {
        Assert.Equal(
            ExpectedSurface.Parameters.Keys.Order(StringComparer.Ordinal),
            _module.CmdletTypes().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb()
    {
        // The approved verbs are the constants of the SDK's Verbs* classes (what Get-Verb lists).
        var approved = _module.Sma.GetExportedTypes()
            .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Export", approved);
        foreach (var name in _module.CmdletTypes().Keys)
            Assert.True(approved.Contains(name.Split('-')[0]), $"{name} does not use an approved verb.");
    }

    [Theory]
    [InlineData("Export-PgTable")]
    [InlineData("Export-KvEntry")]
    [InlineData("Export-D1Schema")]
    [InlineData("ConvertTo-D1Row")]
    [InlineData("Import-D1Batch")]
    [InlineData("Test-MigrationIntegrity")]
    [InlineData("Get-MigrationRun")]
    [InlineData("Undo-Migration")]
    public void Parameters_match_the_public_interface(string cmdlet)
    {
        var type = _module.CmdletTypes()[cmdlet];
        var actual = new List<ParameterSpec>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attrs = p.GetCustomAttributesData();
            var parameterAttrs = attrs.Where(a => a.AttributeType.Name == "ParameterAttribute").ToList();
            if (parameterAttrs.Count == 0) continue;
            Assert.True(parameterAttrs.Count == 1, $"{cmdlet} -{p.Name}: one [Parameter] expected, found {parameterAttrs.Count}.");
            var a = parameterAttrs[0];
            var alias = attrs.SingleOrDefault(x => x.AttributeType.Name == "AliasAttribute");
            var aliases = alias is null ? null : ((IEnumerable<CustomAttributeTypedArgument>)alias.ConstructorArguments[0].Value!).Select(x => (string)x.Value!).ToArray();
            var position = ModuleMetadata.Named<int?>(a, "Position");
            actual.Add(new ParameterSpec(
                p.Name,
                p.PropertyType.FullName!,
                ModuleMetadata.Named<bool>(a, "Mandatory"),
                ModuleMetadata.Named<bool>(a, "ValueFromPipeline"),
                ModuleMetadata.Named<bool>(a, "ValueFromPipelineByPropertyName"),
                ModuleMetadata.Named<string>(a, "ParameterSetName") ?? "__AllParameterSets",
                position,
                aliases));
        }

        var expected = ExpectedSurface.Parameters[cmdlet];
        Assert.Equal(expected.Select(e => e.Name).Order(StringComparer.Ordinal), actual.Select(x => x.Name).Order(StringComparer.Ordinal));
        foreach (var e in expected)
        {
            var x = actual.Single(p => p.Name == e.Name);
            Assert.True(e.Type == x.Type, $"{cmdlet} -{e.Name}: type {x.Type}, expected {e.Type}.");
            Assert.True(e.Mandatory == x.Mandatory, $"{cmdlet} -{e.Name}: Mandatory is {x.Mandatory}.");
            Assert.True(e.FromPipeline == x.FromPipeline, $"{cmdlet} -{e.Name}: ValueFromPipeline is {x.FromPipeline}.");
            Assert.True(e.FromPipelineByName == x.FromPipelineByName, $"{cmdlet} -{e.Name}: ValueFromPipelineByPropertyName is {x.FromPipelineByName}.");
            Assert.True(e.Set == x.Set, $"{cmdlet} -{e.Name}: parameter set {x.Set}, expected {e.Set}.");
            Assert.True(e.Position == x.Position, $"{cmdlet} -{e.Name}: position {x.Position}, expected {e.Position}.");
            Assert.Equal(e.Aliases ?? [], x.Aliases ?? []);
        }
    }

    [Theory]
    [InlineData("Import-D1Batch")]
    [InlineData("Test-MigrationIntegrity")]
    [InlineData("Get-MigrationRun")]
    [InlineData("Undo-Migration")]
    public void Parameter_sets_of_the_file_commands_are_Path_and_LiteralPath_with_Path_the_default(string name)
    {
        var cmdlet = Cmdlet(name);
        Assert.Equal("Path", ModuleMetadata.Named<string>(cmdlet, "DefaultParameterSetName"));
    }

    [Fact]
    public void Writers_support_ShouldProcess_and_readers_do_not()
    {
        foreach (var name in ExpectedSurface.Parameters.Keys)
        {
            var cmdlet = Cmdlet(name);
            var supports = ModuleMetadata.Named<bool>(cmdlet, "SupportsShouldProcess");
            Assert.True(supports == ExpectedSurface.Writers.Contains(name), $"{name}: SupportsShouldProcess is {supports}.");
            if (supports)
            {
                // Import-D1Batch Medium (no prompt by default, -Confirm asks once); Undo-Migration High (asks unless -Force).
                var impact = cmdlet.NamedArguments.Single(a => a.MemberName == "ConfirmImpact").TypedValue.Value;
                Assert.Equal(ExpectedSurface.ConfirmImpact[name], Convert.ToInt32(impact, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_types()
    {
        foreach (var (name, type) in _module.CmdletTypes())
        {
            var declared = type.GetCustomAttributesData()
                .Where(a => a.AttributeType.Name == "OutputTypeAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items : [arg])
                .Select(arg => ((Type)arg.Value!).FullName!)
                .Order(StringComparer.Ordinal);
            Assert.Equal(ExpectedSurface.OutputTypes[name].Order(StringComparer.Ordinal), declared);
        }
    }

    [Fact]
    public void Cmdlets_derive_from_PSCmdlet()
    {
        var psCmdlet = _module.SmaType("PSCmdlet");
        foreach (var (name, type) in _module.CmdletTypes())
            Assert.True(psCmdlet.IsAssignableFrom(type), $"{name} is not a PSCmdlet (it needs SessionState for paths).");
    }

    [Fact]
    public void The_module_initializer_that_resolves_SQLite_exists()
    {
        var initializer = _module.SmaType("IModuleAssemblyInitializer");
        var implementations = _module.Cmdlets.GetExportedTypes().Where(t => t.IsClass && initializer.IsAssignableFrom(t)).ToList();
        Assert.Single(implementations);
    }

    CustomAttributeData Cmdlet(string name) =>
        _module.CmdletTypes()[name].GetCustomAttributesData().Single(a => a.AttributeType.Name == "CmdletAttribute");
}

/// <summary>One metadata context for all tests of a class.</summary>
public sealed class ModuleMetadataFixture : IDisposable
{
    public ModuleMetadata Module { get; } = new();
    public void Dispose() => Module.Dispose();
}
