using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace Migration.PowerShell.Tests;

public sealed class HelpTests : IClassFixture<ModuleMetadataFixture>
{
    static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    readonly ModuleMetadata _module;
    readonly XDocument _help = XDocument.Load(ModulePaths.HelpFile);

    public HelpTests(ModuleMetadataFixture fixture) => _module = fixture.Module;

    XElement HelpFor(string cmdlet) =>
        _help.Root!.Elements(Command + "command")
            .SingleOrDefault(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == cmdlet)
        ?? throw new Xunit.Sdk.XunitException($"No MAML help for {cmdlet}.");

    [Fact]
    public void Every_cmdlet_has_help_with_synopsis_description_and_examples()
    {
        foreach (var name in _module.CmdletTypes().Keys)
        {
            var help = HelpFor(name);
            var synopsis = help.Element(Command + "details")!.Element(Maml + "description")!.Value.Trim();
            Assert.False(string.IsNullOrEmpty(synopsis), $"{name}: no synopsis.");
            Assert.True(help.Element(Maml + "description")!.Value.Trim().Length > 100, $"{name}: the description is missing or too short.");
            var examples = help.Element(Command + "examples")!.Elements(Command + "example").ToList();
            Assert.True(examples.Count >= 2, $"{name}: {examples.Count} examples, at least 2 expected.");
            foreach (var ex in examples)
            {
                Assert.Contains(name, ex.Element(Dev + "code")!.Value);
                Assert.False(string.IsNullOrWhiteSpace(ex.Element(Dev + "remarks")!.Value), $"{name}: an example has no remarks.");
            }
        }
        Assert.Equal(_module.CmdletTypes().Count, _help.Root!.Elements(Command + "command").Count());
    }

    [Fact]
    public void Every_parameter_is_documented_with_its_type_and_nothing_else_is()
    {
        foreach (var (name, type) in _module.CmdletTypes())
        {
            var help = HelpFor(name);
            var documented = help.Element(Command + "parameters")!.Elements(Command + "parameter")
                .ToDictionary(p => p.Element(Maml + "name")!.Value, StringComparer.Ordinal);
            var actual = Parameters(type);
            var expectedNames = actual.Keys.ToHashSet(StringComparer.Ordinal);
            if (ExpectedSurface.Writers.Contains(name)) expectedNames.UnionWith(["WhatIf", "Confirm"]);
            Assert.Equal(expectedNames.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
            foreach (var (parameter, property) in actual)
            {
                var doc = documented[parameter];
                Assert.False(string.IsNullOrWhiteSpace(doc.Element(Maml + "description")!.Value), $"{name} -{parameter}: no description.");
                Assert.Equal(property.PropertyType.FullName, doc.Element(Dev + "type")!.Element(Maml + "name")!.Value);
                var mandatory = property.GetCustomAttributesData().Single(a => a.AttributeType.Name == "ParameterAttribute");
                Assert.True(
                    ModuleMetadata.Named<bool>(mandatory, "Mandatory").ToString().Equals(doc.Attribute("required")!.Value, StringComparison.OrdinalIgnoreCase),
                    $"{name} -{parameter}: help says required={doc.Attribute("required")!.Value}.");
            }
        }
    }

    [Fact]
    public void Syntax_has_one_item_per_parameter_set_naming_only_real_parameters()
    {
        foreach (var (name, type) in _module.CmdletTypes())
        {
            var sets = Parameters(type).Values
                .Select(p => ModuleMetadata.Named<string>(p.GetCustomAttributesData().Single(a => a.AttributeType.Name == "ParameterAttribute"), "ParameterSetName"))
                .Where(s => s is not null).Distinct().Count();
            var items = HelpFor(name).Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
            Assert.Equal(Math.Max(1, sets), items.Count);
            var known = Parameters(type).Keys.Concat(["WhatIf", "Confirm"]).ToHashSet(StringComparer.Ordinal);
            foreach (var p in items.SelectMany(i => i.Elements(Command + "parameter")))
                Assert.Contains(p.Element(Maml + "name")!.Value, known);
        }
    }

    [Fact]
    public void The_brief_examples_are_in_the_help()
    {
        var all = string.Concat(_help.Descendants(Dev + "code").Select(c => c.Value));
        Assert.Contains("Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person", all);
        Assert.Contains("Get-Content ./kv.json | ConvertFrom-Json", all);
        Assert.Contains("-WhatIf", all);
        Assert.Contains("-TimestampFormat UnixSeconds", all);
    }

    static Dictionary<string, PropertyInfo> Parameters(Type cmdlet) =>
        cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttributesData().Any(a => a.AttributeType.Name == "ParameterAttribute"))
            .ToDictionary(p => p.Name, StringComparer.Ordinal);
}
