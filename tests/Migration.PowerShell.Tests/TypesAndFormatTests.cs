using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace Migration.PowerShell.Tests;

public sealed class TypesAndFormatTests : IClassFixture<ModuleMetadataFixture>
{
    readonly ModuleMetadata _module;

    public TypesAndFormatTests(ModuleMetadataFixture fixture) => _module = fixture.Module;

    [Fact]
    public void The_types_file_registers_the_row_adapter_for_the_row_type()
    {
        var doc = XDocument.Load(ModulePaths.TypesFile);
        var type = Assert.Single(doc.Root!.Elements("Type"));
        var adapted = type.Element("Name")!.Value;
        var adapterName = type.Element("TypeAdapter")!.Element("TypeName")!.Value;

        Assert.Equal("Migration.Engine.Schema.Row", adapted);
        Assert.NotNull(_module.Engine.GetType(adapted));
        var adapter = _module.Cmdlets.GetType(adapterName);
        Assert.NotNull(adapter);
        Assert.True(adapter!.IsPublic && !adapter.IsAbstract, $"{adapterName} must be a public concrete class (PowerShell instantiates it).");
        Assert.NotNull(adapter.GetConstructor(Type.EmptyTypes));
        Assert.True(_module.SmaType("PSPropertyAdapter").IsAssignableFrom(adapter), $"{adapterName} is not a PSPropertyAdapter.");
    }

    [Fact]
    public void The_row_type_has_no_public_properties_to_show_next_to_its_columns()
    {
        var row = _module.Engine.GetType("Migration.Engine.Schema.Row", throwOnError: true)!;
        Assert.Empty(row.GetProperties(BindingFlags.Public | BindingFlags.Instance));
    }

    [Fact]
    public void The_format_file_has_a_view_for_every_declared_output_type_except_Row()
    {
        var selected = Views().Select(v => v.TypeName).ToHashSet(StringComparer.Ordinal);
        // The module's own types; a plain bool (Test-MigrationIntegrity -Quiet) formats itself.
        var declared = ExpectedSurface.OutputTypes.Values.SelectMany(t => t).Distinct()
            .Where(t => t.StartsWith("Migration.", StringComparison.Ordinal) && t != "Migration.Engine.Schema.Row");
        foreach (var t in declared) Assert.Contains(t, selected);
        Assert.DoesNotContain("Migration.Engine.Schema.Row", selected);
    }

    [Fact]
    public void Every_property_a_view_shows_exists_on_its_type()
    {
        foreach (var (typeName, properties) in Views())
        {
            var type = _module.Engine.GetType(typeName);
            Assert.True(type is not null, $"The format file has a view for {typeName}, which the engine does not define.");
            foreach (var p in properties)
                Assert.True(type!.GetProperty(p, BindingFlags.Public | BindingFlags.Instance) is not null, $"View {typeName} shows {p}, which the type does not have.");
        }
    }

    [Fact]
    public void Every_view_has_as_many_headers_as_columns()
    {
        var doc = XDocument.Load(ModulePaths.FormatFile);
        foreach (var table in doc.Descendants("TableControl"))
        {
            var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").Count();
            foreach (var entry in table.Descendants("TableColumnItems"))
                Assert.Equal(headers, entry.Elements("TableColumnItem").Count());
        }
    }

    static List<(string TypeName, List<string> Properties)> Views()
    {
        var doc = XDocument.Load(ModulePaths.FormatFile);
        return doc.Descendants("View")
            .Select(v => (
                v.Element("ViewSelectedBy")!.Element("TypeName")!.Value,
                v.Descendants("PropertyName").Select(p => p.Value).ToList()))
            .ToList();
    }
}
