using System.Diagnostics;
using System.Globalization;

namespace Migration.Engine.Tests.Infrastructure;

/// <summary>
/// Stops and deletes throwaway clusters: the current one at process exit, and, at the next
/// start, any left by a test host that was killed before its exit handler ran.
/// </summary>
internal static class PgClusterCleanup
{
    public const string DirectoryPrefix = "migration-pgtest-";

    /// <summary>Holds the pid of the test process that owns a cluster directory.</summary>
    public const string OwnerFile = "owner.pid";

    public static void StopAndDelete(string directory, string binDirectory)
    {
        var data = Path.Combine(directory, "data");
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (File.Exists(pidFile))
        {
            // SIGQUIT is Postgres' immediate shutdown. Sent directly because it must be quick:
            // the test host may be ended shortly after ProcessExit starts, too soon for pg_ctl.
            if (!TryReadPid(pidFile, out var pid) || !SignalAndWait(pid))
            {
                try
                {
                    PgCluster.Run(Path.Combine(binDirectory, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                        asPostgres: Environment.UserName == "root");
                }
                catch (InvalidOperationException)
                {
                    // Already stopped, or pg_ctl failed: deleting the directory is still right.
                }
            }
        }
        // The server's last processes may still be exiting (and writing) just after pg_ctl returns.
        for (var attempt = 0; attempt < 20 && Directory.Exists(directory); attempt++)
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { Thread.Sleep(100); }
            catch (UnauthorizedAccessException) { Thread.Sleep(100); }
        }
    }

    static bool TryReadPid(string pidFile, out int pid)
    {
        pid = 0;
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends SIGQUIT and waits (at most 5 s) for the postmaster to go; false if it could not be signalled.</summary>
    static bool SignalAndWait(int pid)
    {
        const int SigQuit = 3;
        if (!OperatingSystem.IsLinux() || Kill(pid, SigQuit) != 0) return false;
        for (var i = 0; i < 250 && Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)); i++)
            Thread.Sleep(20);
        return true;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    /// <summary>
    /// Starts a detached watchdog that stops and deletes the cluster once the test process is
    /// gone, however it ended: the test host is sometimes ended too soon after ProcessExit
    /// starts to finish the cleanup itself, and a crashed host runs no handler at all.
    /// </summary>
    public static void StartWatchdog(string directory)
    {
        var data = Path.Combine(directory, "data");
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var script = $"""
            exec >/dev/null 2>&1 </dev/null
            while kill -0 {pid}; do sleep 0.5; done
            if [ -f '{data}/postmaster.pid' ]; then kill -QUIT "$(head -n 1 '{data}/postmaster.pid')"; fi
            for i in $(seq 1 50); do [ -f '{data}/postmaster.pid' ] || break; sleep 0.1; done
            rm -rf '{directory}'
            """;
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // --fork: the watchdog's parent exits at once, so it is no part of the test host's process tree.
        foreach (var a in new[] { "--fork", "sh", "-c", script }) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi);
            p?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid: the ProcessExit handler and the next run's stale sweep still clean up.
        }
    }

    /// <summary>Removes clusters whose owning test process no longer runs.</summary>
    public static void RemoveStale()
    {
        string[] candidates;
        try { candidates = Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"); }
        catch (IOException) { return; }
        foreach (var dir in candidates)
        {
            var ownerFile = Path.Combine(dir, OwnerFile);
            if (!File.Exists(ownerFile)) continue;
            if (!int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            var bin = File.Exists("/usr/lib/postgresql/15/bin/pg_ctl") ? "/usr/lib/postgresql/15/bin" : "";
            StopAndDelete(dir, bin.Length > 0 ? bin : FindOnPath("pg_ctl") ?? "/usr/lib/postgresql/15/bin");
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}
