using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// What the module needs from a wrangler config (<c>wrangler.toml</c>, <c>wrangler.json</c> or
/// <c>wrangler.jsonc</c>): <c>account_id</c>, the <c>d1_databases</c> and the <c>kv_namespaces</c>.
/// As in wrangler, bindings are not inherited: with an environment, only
/// <c>[env.NAME]</c>'s own lists count (<c>account_id</c> is inherited from the top level).
/// </summary>
public sealed class WranglerConfig
{
    /// <summary>The file names wrangler looks for in a folder, in its order.</summary>
    public static readonly IReadOnlyList<string> FileNames = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

    WranglerConfig(string path, string? accountId, IReadOnlyList<WranglerD1Binding> d1, IReadOnlyList<WranglerKvBinding> kv)
    {
        Path = path;
        AccountId = accountId;
        D1Databases = d1;
        KvNamespaces = kv;
    }

    public string Path { get; }
    public string? AccountId { get; }
    public IReadOnlyList<WranglerD1Binding> D1Databases { get; }
    public IReadOnlyList<WranglerKvBinding> KvNamespaces { get; }

    /// <summary>Reads a config file, or the first of <see cref="FileNames"/> in a folder; <paramref name="environment"/> selects <c>[env.NAME]</c>.</summary>
    public static WranglerConfig Load(string path, string? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Directory.Exists(path)
            ? FileNames.Select(n => System.IO.Path.Combine(path, n)).FirstOrDefault(File.Exists)
              ?? throw new CloudflareConfigurationException($"No wrangler.json, wrangler.jsonc or wrangler.toml in {path}.")
            : File.Exists(path) ? path : throw new CloudflareConfigurationException($"The wrangler config {path} does not exist.");
        var text = File.ReadAllText(file);
        var root = file.EndsWith(".toml", StringComparison.OrdinalIgnoreCase)
            ? TomlDocument.Parse(text, file)
            : FromJson(text, file);
        var scope = root;
        if (!string.IsNullOrEmpty(environment))
        {
            scope = root.TryGetValue("env", out var envs) && envs is Dictionary<string, object?> all
                    && all.TryGetValue(environment, out var env) && env is Dictionary<string, object?> e
                ? e
                : throw new CloudflareConfigurationException($"{file} has no environment '{environment}' ([env.{environment}]).");
        }
        var account = Text(scope, "account_id") ?? Text(root, "account_id");
        var d1 = Tables(scope, "d1_databases", file).Select(t => new WranglerD1Binding(
            Text(t, "binding") ?? throw new CloudflareConfigurationException($"{file}: a d1_databases entry has no binding."),
            Text(t, "database_name"), Text(t, "database_id"), Text(t, "preview_database_id"))).ToList();
        var kv = Tables(scope, "kv_namespaces", file).Select(t => new WranglerKvBinding(
            Text(t, "binding") ?? throw new CloudflareConfigurationException($"{file}: a kv_namespaces entry has no binding."),
            Text(t, "id"), Text(t, "preview_id"))).ToList();
        return new WranglerConfig(file, account, d1, kv);
    }

    /// <summary>The D1 binding named <paramref name="bindingOrName"/> (its binding, else its database_name, as wrangler matches).</summary>
    public WranglerD1Binding D1(string bindingOrName) =>
        D1Databases.FirstOrDefault(d => d.Binding == bindingOrName)
        ?? D1Databases.FirstOrDefault(d => d.DatabaseName == bindingOrName)
        ?? throw new CloudflareConfigurationException(
            $"{Path} has no D1 binding or database named '{bindingOrName}' (it has: {Listed(D1Databases.Select(d => d.Binding))}).");

    /// <summary>The KV namespace bound as <paramref name="binding"/>.</summary>
    public WranglerKvBinding Kv(string binding) =>
        KvNamespaces.FirstOrDefault(k => k.Binding == binding)
        ?? throw new CloudflareConfigurationException(
            $"{Path} has no KV binding '{binding}' (it has: {Listed(KvNamespaces.Select(k => k.Binding))}).");

    static string Listed(IEnumerable<string> names) => string.Join(", ", names) is { Length: > 0 } s ? s : "none";

    static Dictionary<string, object?> FromJson(string text, string file)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (Dictionary<string, object?>)Convert(document.RootElement)!
                : throw new CloudflareConfigurationException($"{file} does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new CloudflareConfigurationException($"{file} is not valid JSON(C): {e.Message}", e);
        }
    }

    static object? Convert(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };

    static string? Text(Dictionary<string, object?> table, string key) =>
        table.TryGetValue(key, out var v) && v is string s && s.Length > 0 ? s : null;

    static IEnumerable<Dictionary<string, object?>> Tables(Dictionary<string, object?> scope, string key, string file)
    {
        if (!scope.TryGetValue(key, out var v) || v is null) return [];
        if (v is List<object?> list && list.All(x => x is Dictionary<string, object?>)) return list.Cast<Dictionary<string, object?>>();
        throw new CloudflareConfigurationException($"{file}: '{key}' is not a list of tables.");
    }
}
