using System.Diagnostics;
using System.Reflection;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Xunit;
using Xunit.Abstractions;

namespace Migration.Engine.Tests.Convert;

/// <summary>
/// The hot path's budget: 1.1M rows of 30 columns must convert well over 300k rows/s on one
/// core. Measured in CPU time (the build machine is shared, so wall time says little) after
/// the JIT has had time to optimize the hot methods. An optimized (Release) engine must beat
/// 300k rows/s; a Debug build, whose JIT optimizations are off, is only checked for a sixth of that.
/// </summary>
public sealed class ConversionThroughputTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Performance")]
    public void Thirty_column_rows_convert_fast()
    {
        PgType[] types =
        [
            Pg.BigInt, Pg.Int, Pg.SmallInt, Pg.Boolean, Pg.Boolean, Pg.Boolean,
            Pg.Varchar, Pg.Varchar, Pg.Varchar, Pg.Varchar, Pg.Varchar, Pg.Varchar, Pg.Text, Pg.Text,
            Pg.TimestampTz, Pg.TimestampTz, Pg.TimestampTz, Pg.Date, Pg.Date,
            Pg.Numeric(10, 2), Pg.Numeric(10, 2), Pg.Double, Pg.Real,
            Pg.Uuid, Pg.Uuid, Pg.Jsonb, Pg.Jsonb, Pg.ArrayOf(Pg.Text), Pg.ArrayOf(Pg.Text), Pg.Inet,
        ];
        var columns = types.Select((t, i) => new Column($"c{i}", t, D1Type.Text, i != 0)).ToList();
        var schema = new TableSchema(SchemaKind.Postgres, "public", "wide", "wide", columns, [0]);
        object?[] Values(long i) =>
        [
            i, (int)i, (short)(i & 0x7FFF), true, false, null,
            "Ann", "Smith", "ann@example.com", "12 High Street", "Springfield", "US", "notes about the person", null,
            new PgTimestamp(i * 1_000_000, true), new PgTimestamp(i * 7, true), null, new PgDate((int)(i % 20000)), new PgDate(100),
            12.34m, 0.01m * (i % 1000), i * 0.5, 1.25f,
            Guid.NewGuid(), Guid.Empty, "{\"a\": 1, \"b\": [1, 2]}", "{}", "{a,b,\"c d\"}", "{}", "10.0.0.1",
        ];
        var source = new Row[1000];
        for (var i = 0; i < source.Length; i++) source[i] = new Row(schema, Values(i));

        var converter = new RowConverter(ConversionOptions.Default);
        // Warm up, then give tiered compilation's background thread time to install optimized code.
        for (var i = 0; i < 50_000; i++) converter.Convert(source[i % source.Length]);
        Thread.Sleep(1000);
        for (var i = 0; i < 5_000; i++) converter.Convert(source[i % source.Length]);

        const int rows = 300_000;
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        long check = 0;
        for (var i = 0; i < rows; i++) check += converter.Convert(source[i % source.Length]).GetValues().Length;
        sw.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var rate = rows / cpu.TotalSeconds;
        var optimized = typeof(RowConverter).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
        output.WriteLine($"{rate:N0} rows/s of CPU time ({rows} rows x 30 columns: {cpu.TotalMilliseconds:N0} ms CPU, {sw.ElapsedMilliseconds:N0} ms wall; engine {(optimized ? "optimized" : "Debug")})");
        Assert.Equal(rows * 30L, check);
        var required = optimized ? 300_000 : 50_000;
        Assert.True(rate > required, $"only {rate:N0} rows/s (required {required:N0})");
    }
}
