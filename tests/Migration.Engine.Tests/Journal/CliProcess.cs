using System.Diagnostics;

namespace Migration.Engine.Tests.Journal;

/// <summary>
/// Runs the CLI host (src/Migration.Cli, built with this test project) as a child process, so a
/// test can kill it as a crash would: no finally block, no dispose, mid-transaction.
/// </summary>
static class CliProcess
{
    /// <summary>migration.dll of the same configuration as this test assembly.</summary>
    public static string Dll { get; } = Find();

    static string Find()
    {
        // tests/Migration.Engine.Tests/bin/<Configuration>/net10.0/ -> src/Migration.Cli/bin/<Configuration>/net10.0/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var root = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "src", "Migration.Cli", "bin", configuration, framework, "migration.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The CLI host was not built: {dll}", dll);
    }

    public static Process Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var process = Process.Start(info)!;
        // Drained asynchronously so a chatty child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        Errors.AddOrUpdate(process, errors);
        return process;
    }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, System.Text.StringBuilder> Errors = new();

    public static string StandardError(Process process)
    {
        if (!Errors.TryGetValue(process, out var sb)) return "";
        lock (sb) return sb.ToString();
    }

    /// <summary>Runs to the end (at most two minutes) and returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var p = Start(args, environment);
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"migration {string.Join(' ', args.Take(1))} did not finish in two minutes.");
        }
        p.WaitForExit();
        if (p.ExitCode != 0) Console.Error.WriteLine(StandardError(p));
        return p.ExitCode;
    }
}
