using System.Net.Sockets;
using System.Reflection;
using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// Lets a Postgres connection that is only ever read synchronously (the export's COPY stream) be
/// woken by .NET's socket thread directly instead of through a thread-pool work item per
/// arrival of data.
/// </summary>
/// <remarks>
/// <para>
/// Why: Npgsql connects with <c>Socket.Blocking = false</c> (a connect with a timeout), and on
/// Linux and macOS .NET keeps such a socket non-blocking for good, emulating blocking reads on
/// top of epoll/kqueue. Every time Postgres' data arrives (about every 8 KB of COPY data) the
/// socket thread then queues a work item to the thread pool, which wakes a worker that
/// processes the event and spins before it sleeps again. A profile of
/// <c>Export-PgTable | ConvertTo-D1Row | Import-D1Batch</c> at 1.11M rows found ~2 CPU-seconds
/// (a tenth of the process) in thread-pool workers spinning for these events, on the two cores
/// the pipeline needed; paired runs with inline completions: 1.0-1.4 s less wall time and
/// 2-3 s less CPU. The CLI host sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> for its
/// whole process; a module cannot (pwsh's socket engine is set up before it loads, and the
/// setting would reach the user's other sockets), so it asks for this one socket only.
/// </para>
/// <para>
/// How: .NET's per-socket switch (<c>Socket.PreferInlineCompletions</c>, what that environment
/// variable sets for every socket) and Npgsql's socket are both internal, reached by reflection
/// over names checked by a test against the pinned Npgsql and runtime. Where they are missing
/// (another runtime or Npgsql, Windows' completion ports) nothing changes but the speed. It is
/// safe only for a connection used synchronously: an asynchronous read's continuation would run
/// on the socket thread.
/// </para>
/// </remarks>
internal static class InlineSocketCompletions
{
    const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;
    static readonly PropertyInfo? Connector = typeof(NpgsqlConnection).GetProperty("Connector", Internal);
    static readonly PropertyInfo? PreferInline = typeof(Socket).GetProperty("PreferInlineCompletions", Internal);

    /// <summary>Switches the open connection's socket to inline completions; whether it could.</summary>
    public static bool TryEnable(NpgsqlConnection connection)
    {
        if (OperatingSystem.IsWindows() || PreferInline?.SetMethod is null) return false;
        try
        {
            var connector = Connector?.GetValue(connection);
            if (connector?.GetType().GetField("_socket", Internal)?.GetValue(connector) is not Socket socket) return false;
            PreferInline.SetValue(socket, true);
            return true;
        }
        catch (Exception ex) when (ex is TargetException or TargetInvocationException or MemberAccessException or ArgumentException)
        {
            return false; // internals of another shape: the default path, only slower
        }
    }
}
