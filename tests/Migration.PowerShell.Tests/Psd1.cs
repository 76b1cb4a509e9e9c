using System.Text.RegularExpressions;

namespace Migration.PowerShell.Tests;

/// <summary>
/// Reads the top-level <c>Key = 'value'</c> and <c>Key = @('a', 'b')</c> entries of a module
/// manifest. Not a PowerShell parser: it covers the one-line forms the manifests here use, and a
/// test fails loudly on anything else it is asked for.
/// </summary>
public sealed partial class Psd1
{
    readonly Dictionary<string, string> _raw = new(StringComparer.OrdinalIgnoreCase);

    public Psd1(string path)
    {
        Path = path;
        Directory = System.IO.Path.GetDirectoryName(path)!;
        foreach (var line in File.ReadAllLines(path))
        {
            var m = Entry().Match(line);
            if (m.Success) _raw.TryAdd(m.Groups[1].Value, m.Groups[2].Value.Trim());
        }
    }

    public string Path { get; }
    public string Directory { get; }

    public bool Has(string key) => _raw.ContainsKey(key);

    public string String(string key)
    {
        var raw = _raw.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"{Path}: no {key}.");
        var m = Quoted().Match(raw);
        if (!m.Success || m.Length != raw.Length) throw new FormatException($"{Path}: {key} is not a single quoted string: {raw}");
        return m.Groups[1].Value;
    }

    public string[] Array(string key)
    {
        var raw = _raw.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"{Path}: no {key}.");
        if (!raw.StartsWith("@(", StringComparison.Ordinal) || !raw.EndsWith(')'))
            throw new FormatException($"{Path}: {key} is not a one-line @(...) array: {raw}");
        return Quoted().Matches(raw).Select(m => m.Groups[1].Value).ToArray();
    }

    [GeneratedRegex(@"^\s{0,8}(\w+)\s*=\s*(.+?)\s*$")]
    private static partial Regex Entry();

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex Quoted();
}
