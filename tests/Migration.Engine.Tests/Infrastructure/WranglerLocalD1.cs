using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Migration.Engine.Tests.Infrastructure;

/// <summary>
/// A real local D1 database, as <c>wrangler d1 execute --local</c> keeps it, in a temporary
/// project folder: tests write its state file directly and read it back through wrangler.
/// Wrangler is <c>$MIGRATION_WRANGLER</c> or the repository's <c>node_modules/.bin/wrangler</c>.
/// Nothing here goes to the network: the commands are local, telemetry is off, and Cloudflare
/// credentials from the environment are not passed on.
/// </summary>
public sealed class WranglerLocalD1 : IDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    WranglerLocalD1(string wrangler, string projectDirectory, string databaseId)
    {
        Wrangler = wrangler;
        ProjectDirectory = projectDirectory;
        DatabaseId = databaseId;
    }

    public string Wrangler { get; }
    public string ProjectDirectory { get; }
    public string DatabaseId { get; }

    /// <summary>The SQLite file wrangler keeps the local database in (WAL mode).</summary>
    public string StateFile { get; private set; } = "";

    /// <summary>Creates the project and initialises its local database.</summary>
    public static WranglerLocalD1 Create()
    {
        var wrangler = FindWrangler();
        var directory = Path.Combine(Path.GetTempPath(), "migration-d1-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var databaseId = Guid.NewGuid().ToString();
        File.WriteAllText(Path.Combine(directory, "wrangler.toml"), $"""
            name = "migration-test"
            compatibility_date = "2024-09-23"

            [[d1_databases]]
            binding = "DB"
            database_name = "test"
            database_id = "{databaseId}"
            """);
        var d1 = new WranglerLocalD1(wrangler, directory, databaseId);
        try
        {
            d1.Execute("SELECT 1");
            d1.StateFile = LocateStateFile(directory);
            return d1;
        }
        catch
        {
            d1.Dispose();
            throw;
        }
    }

    /// <summary>The path to wrangler, or a failure that says how to get it.</summary>
    public static string FindWrangler()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MIGRATION_WRANGLER");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (File.Exists(fromEnvironment)) return fromEnvironment;
            throw new InvalidOperationException($"MIGRATION_WRANGLER points to {fromEnvironment}, which does not exist.");
        }
        var root = RepositoryRoot();
        var local = Path.Combine(root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "wrangler.cmd" : "wrangler");
        if (File.Exists(local)) return local;
        throw new InvalidOperationException(
            $"wrangler was not found at {local}: run npm ci at the repository root ({root}), or set MIGRATION_WRANGLER to the wrangler executable.");
    }

    /// <summary>Runs SQL (one or more statements) and returns each statement's result rows.</summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> Execute(string sql) =>
        Run(["d1", "execute", "DB", "--local", "--json", "--command", sql]);

    /// <summary>Runs a SQL file, as <c>wrangler d1 execute --local --file</c> does.</summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> ExecuteFile(string path) =>
        Run(["d1", "execute", "DB", "--local", "--json", "--file", path]);

    /// <summary>The folder <c>wrangler d1 migrations apply</c> reads (the default <c>migrations</c> of the project).</summary>
    public string MigrationsDirectory => Path.Combine(ProjectDirectory, "migrations");

    /// <summary>Applies the numbered migration files in <see cref="MigrationsDirectory"/>, as <c>wrangler d1 migrations apply --local</c> does; returns wrangler's output.</summary>
    public string ApplyMigrations() => RunRaw(["d1", "migrations", "apply", "DB", "--local"]);

    /// <summary>The rows of the (last) statement of a query.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Query(string sql)
    {
        var results = Execute(sql);
        return results.Count == 0 ? [] : results[^1];
    }

    IReadOnlyList<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> Run(IReadOnlyList<string> arguments) => Parse(RunRaw(arguments));

    string RunRaw(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Wrangler)
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("CLOUDFLARE_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["CI"] = "true";
        start.Environment["WRANGLER_SEND_METRICS"] = "false";
        start.Environment["WRANGLER_SEND_ERROR_REPORTS"] = "false";
        start.Environment["WRANGLER_HIDE_BANNER"] = "true";
        start.Environment["NO_UPDATE_NOTIFIER"] = "1";
        start.Environment["WRANGLER_LOG_PATH"] = Path.Combine(ProjectDirectory, ".wrangler-logs");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrangler did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"wrangler {string.Join(' ', arguments.Take(5))} did not finish within {Timeout}.");
        }
        process.WaitForExit();
        var output = stdout.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"wrangler exited with {process.ExitCode}:\n{output}\n{stderr.Result}");
        return output;
    }

    static IReadOnlyList<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> Parse(string output)
    {
        var at = output.IndexOf('[', StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("wrangler printed no JSON result:\n" + output);
        using var document = JsonDocument.Parse(output[at..]);
        var statements = new List<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>>();
        foreach (var statement in document.RootElement.EnumerateArray())
        {
            if (statement.TryGetProperty("success", out var ok) && ok.ValueKind == JsonValueKind.False)
                throw new InvalidOperationException("wrangler reported a failed statement:\n" + output);
            var rows = new List<IReadOnlyDictionary<string, JsonElement>>();
            if (statement.TryGetProperty("results", out var results))
                foreach (var row in results.EnumerateArray())
                    rows.Add(row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal));
            statements.Add(rows);
        }
        return statements;
    }

    static string LocateStateFile(string projectDirectory)
    {
        var folder = Path.Combine(projectDirectory, ".wrangler", "state", "v3", "d1", "miniflare-D1DatabaseObject");
        var files = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.sqlite").Where(f => !Path.GetFileName(f).Equals("metadata.sqlite", StringComparison.Ordinal)).ToList()
            : [];
        return files.Count == 1
            ? files[0]
            : throw new InvalidOperationException($"Expected one local D1 state file in {folder}, found {files.Count}.");
    }

    /// <summary>The checkout's root (the folder holding Migration.sln), found from the test assembly.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Migration.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Migration.sln above {AppContext.BaseDirectory}.");
    }

    public void Dispose()
    {
        try { Directory.Delete(ProjectDirectory, recursive: true); }
        catch (IOException) { /* a temp folder left behind is harmless; the test result matters */ }
        catch (UnauthorizedAccessException) { }
    }
}
