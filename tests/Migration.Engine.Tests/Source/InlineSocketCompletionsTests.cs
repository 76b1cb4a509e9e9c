using System.Net.Sockets;
using System.Reflection;
using Migration.Engine.Source;
using Migration.Engine.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// The export's connection asks .NET to complete its socket's reads on the socket thread
/// (no thread-pool work item per arrival of data). It reaches internals of Npgsql and of the
/// runtime by name: these tests fail when an upgrade of either moves them, instead of the
/// export silently getting slower, and show a COPY read over such a socket arrives whole.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class InlineSocketCompletionsTests(InlineSocketCompletionsTests.Data data) : IClassFixture<InlineSocketCompletionsTests.Data>
{
    public sealed class Data
    {
        public Data()
        {
            Pg = new PgCluster();
            Database = Pg.CreateDatabase("inline");
            Pg.Execute(Database, "CREATE TABLE big (id int PRIMARY KEY, pad text); INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g;");
        }

        public PgCluster Pg { get; }
        public string Database { get; }
    }

    static bool Inline(NpgsqlConnection connection)
    {
        const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;
        var connector = typeof(NpgsqlConnection).GetProperty("Connector", Internal)!.GetValue(connection)!;
        var socket = (Socket)connector.GetType().GetField("_socket", Internal)!.GetValue(connector)!;
        // Socket's switch is set-only; the handle's, which the socket engine reads per event, says what holds.
        return (bool)typeof(SafeSocketHandle).GetProperty("PreferInlineCompletions", Internal)!.GetValue(socket.SafeHandle)!;
    }

    [Fact]
    public void The_pinned_Npgsql_and_runtime_let_a_connection_complete_inline_and_COPY_arrives_whole()
    {
        if (OperatingSystem.IsWindows()) return; // completion ports: nothing to change there
        using var connection = new PgConnectionSettings(data.Database).OpenConnection();
        Assert.False(Inline(connection)); // the process default (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS unset)

        Assert.True(InlineSocketCompletions.TryEnable(connection));
        Assert.True(Inline(connection));

        long rows = 0, sum = 0;
        using (var copy = connection.BeginBinaryExport("COPY big (id, pad) TO STDOUT (FORMAT BINARY)"))
        {
            while (copy.StartRow() != -1)
            {
                sum += copy.Read<int>();
                Assert.Equal(200, copy.Read<string>().Length);
                rows++;
            }
        }
        Assert.Equal(100_000, rows);
        Assert.Equal(100_000L * 100_001 / 2, sum);
        // The connection goes on working after the COPY (the export's later statements).
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM big", connection);
        Assert.Equal(100_000L, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void An_exporter_reads_over_an_inline_socket()
    {
        if (OperatingSystem.IsWindows()) return;
        using var exporter = new PgExporter(new PgConnectionSettings(data.Database));
        var connection = (NpgsqlConnection)typeof(PgExporter).GetField("_connection", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(exporter)!;
        Assert.True(Inline(connection));
        var table = exporter.Describe(["big"]).Single();
        Assert.Equal(100_000, exporter.Export(table).Count());
    }
}
