using System.Reflection;
using System.Runtime.InteropServices;

namespace Migration.PowerShell.Tests;

/// <summary>
/// The built module's assemblies, loaded for inspection only (MetadataLoadContext): nothing in
/// them runs, so the PowerShell SDK reference assembly is enough to resolve their types.
/// </summary>
public sealed class ModuleMetadata : IDisposable
{
    readonly MetadataLoadContext _context;

    public ModuleMetadata()
    {
        var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        var moduleDlls = Directory.GetFiles(ModulePaths.ModuleFolder, "*.dll");
        // The module's own copies win over the runtime's (e.g. DiagnosticSource): that is what pwsh loads.
        var moduleNames = moduleDlls.Select(Path.GetFileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        paths.RemoveAll(p => moduleNames.Contains(Path.GetFileName(p)));
        paths.AddRange(moduleDlls);
        paths.Add(ModulePaths.SmaReferenceAssembly);
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        Cmdlets = _context.LoadFromAssemblyPath(ModulePaths.CmdletAssembly);
        Engine = _context.LoadFromAssemblyPath(ModulePaths.EngineAssembly);
        Sma = _context.LoadFromAssemblyPath(ModulePaths.SmaReferenceAssembly);
    }

    public Assembly Cmdlets { get; }
    public Assembly Engine { get; }
    public Assembly Sma { get; }

    /// <summary>An assembly by name, resolved as the module's references are.</summary>
    public Assembly Load(string name) => _context.LoadFromAssemblyName(name);

    public Type SmaType(string name) => Sma.GetType("System.Management.Automation." + name, throwOnError: true)!;

    /// <summary>Every public type with [Cmdlet], by its command name (Verb-Noun).</summary>
    public IReadOnlyDictionary<string, Type> CmdletTypes()
    {
        var result = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var t in Cmdlets.GetExportedTypes())
        {
            var attr = t.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.Name == "CmdletAttribute");
            if (attr is null) continue;
            result.Add($"{attr.ConstructorArguments[0].Value}-{attr.ConstructorArguments[1].Value}", t);
        }
        return result;
    }

    public static T? Named<T>(CustomAttributeData attribute, string name, T? fallback = default)
    {
        var arg = attribute.NamedArguments.FirstOrDefault(a => a.MemberName == name);
        return arg.MemberInfo is null ? fallback : (T?)arg.TypedValue.Value;
    }

    public void Dispose() => _context.Dispose();
}
