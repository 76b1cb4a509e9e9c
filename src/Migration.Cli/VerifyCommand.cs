using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Integrity;
using Migration.Engine.Source;

namespace Migration.Cli;

/// <summary>
/// <c>migration verify</c>: Test-MigrationIntegrity in one process. Prints one line per
/// (table, check) and the differences under each failed one; exits 2 when a check failed or
/// could not run, so a script or the demo can stop on it.
/// </summary>
static class VerifyCommand
{
    public static int Run(CliArguments a)
    {
        a.AllowOnly([.. CliArguments.ConversionOptionNames, "pg", "path", "table", "check", "sample-size", "max-differences", "quiet"]);
        var settings = new PgConnectionSettings(a.One("pg"));
        var map = a.Pairs("map");
        // The tables default to those the map names: "verify --map a=b" checks a against b.
        var tables = a.Many("table") is { Count: > 0 } named ? named : [.. map.Keys];
        if (tables.Count == 0) throw new ArgumentException("--table (or --map source=target) is required.");
        var path = Path.GetFullPath(a.Required("path"));

        var options = new IntegrityOptions
        {
            Conversion = a.ConversionOptions(),
            Checks = ParseChecks(a.Many("check")),
            SampleSize = Int(a, "sample-size", 100),
            MaxDifferences = Int(a, "max-differences", 10),
        };
        var quiet = a.Flag("quiet");

        var failed = 0;
        var errors = 0;
        if (!quiet)
            Console.WriteLine($"{"Table",-20} {"Check",-11} {"Passed",-6} {"Expected",-24} {"Actual",-24} Details");
        foreach (var r in new IntegrityChecker(settings, path, options).Run(tables, e =>
                 {
                     errors++;
                     Console.Error.WriteLine("could not check: " + e.Message);
                 }))
        {
            if (!r.Passed) failed++;
            if (quiet) continue;
            Console.WriteLine($"{r.Table,-20} {r.Check,-11} {(r.Passed ? "True" : "False"),-6} {Cut(r.Expected),-24} {Cut(r.Actual),-24} {r.Details}");
            foreach (var d in r.Differences) Console.WriteLine("    " + d);
        }
        if (!quiet)
            Console.WriteLine(failed + errors == 0
                ? "All checks passed."
                : string.Create(CultureInfo.InvariantCulture, $"{failed} checks failed, {errors} could not run."));
        return failed + errors == 0 ? 0 : 2;
    }

    static IntegrityCheck ParseChecks(IReadOnlyList<string> names)
    {
        if (names.Count == 0) return IntegrityCheck.All;
        var checks = IntegrityCheck.None;
        foreach (var n in names)
            checks |= Enum.TryParse<IntegrityCheck>(n, ignoreCase: true, out var c) && Enum.IsDefined(c)
                ? c
                : throw new ArgumentException($"Unknown check '{n}'. Known: {string.Join(", ", Enum.GetNames<IntegrityCheck>())}.");
        return checks;
    }

    static int Int(CliArguments a, string name, int fallback) =>
        a.One(name) is { } v
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--{name} takes a whole number, not '{v}'.")
            : fallback;

    // A content hash is 32 digits: the first 20 tell two apart at a glance, the table stays readable.
    static string Cut(string s) => s.Length <= 24 ? s : s[..21] + "...";
}
