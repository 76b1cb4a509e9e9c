using System.Diagnostics;
using System.Globalization;
using Migration.Engine.Journal;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Target;
using Xunit;
using Xunit.Abstractions;

namespace Migration.Engine.Tests.Journal;

/// <summary>
/// The crash-safety proof: a migration run by the CLI host in a child process is SIGKILLed at
/// chosen points (rows written but not journaled; journaled but not committed; just committed)
/// and at random moments, then resumed; every time the target must equal a clean migration
/// exactly (row counts and the canonical content hash of every table) with no duplicate key.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class CrashResumeTests(PgCluster pg, ITestOutputHelper output) : IDisposable
{
    const int BatchSize = 16;
    // books 400 rows (25 batches), authors 150 (10), notes 60 with no key (4): 39 batches.
    const int TotalBatches = 39;
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    string Source()
    {
        var cs = pg.CreateDatabase("crash");
        pg.Execute(cs, """
            CREATE TABLE books (id integer PRIMARY KEY, isbn text NOT NULL, title text, price numeric(8,2), tags text[], added timestamptz);
            INSERT INTO books SELECT i, '978-' || lpad(i::text, 6, '0'), 'Title ' || i || repeat(' é', i % 7), (i * 1.25)::numeric(8,2),
                   ARRAY['t' || (i % 5), 'x'], timestamptz '2024-01-01 00:00:00+00' + i * interval '1 hour 1 second'
            FROM generate_series(1, 400) i;
            CREATE TABLE authors (name text PRIMARY KEY, born date, bio text);
            INSERT INTO authors SELECT 'author-' || md5(i::text), date '1900-01-01' + i * 97, CASE WHEN i % 3 = 0 THEN NULL ELSE 'bio ' || i END
            FROM generate_series(1, 150) i;
            CREATE TABLE notes (line text, n integer);
            INSERT INTO notes SELECT 'note ' || (i % 20), i FROM generate_series(1, 60) i;
            """);
        return cs;
    }

    static List<string> Args(string cs, string path, params string[] extra) =>
        ["migrate", "--pg", cs, "--table", "books,authors,notes", "--path", path, "--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture), "--quiet", .. extra];

    [Fact]
    public void A_migration_killed_at_any_point_and_resumed_equals_a_clean_migration()
    {
        var cs = Source();
        var clean = _dir.File("clean.sqlite");
        Assert.Equal(0, CliProcess.Run(Args(cs, clean)));
        var expected = DatabaseFingerprint.Of(clean, withRowid: false);
        Assert.Equal(3, expected.Count);
        Assert.Contains("| 400 rows |", expected["books"]);
        Assert.Contains("| 60 rows |", expected["notes"]);

        string[] points = ["before-journal", "after-journal", "after-commit", "random-time"];
        var random = new Random(20_240_812);
        var watch = Stopwatch.StartNew();
        for (var trial = 0; trial < 24; trial++)
        {
            var path = _dir.File($"trial{trial}.sqlite");
            var point = points[trial % points.Length];
            var at = random.Next(1, TotalBatches + 1);
            var delay = random.Next(350, 1200);
            string what;
            if (point == "random-time")
            {
                what = $"killed after {delay} ms";
                using var child = CliProcess.Start(Args(cs, path));
                if (!child.WaitForExit(delay)) child.Kill();
                child.WaitForExit();
            }
            else
            {
                what = $"killed at {point} of batch {at}";
                using var child = CliProcess.Start(Args(cs, path), new Dictionary<string, string> { ["MIGRATION_FAULT_AT"] = $"{point}:{at}" });
                Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), what);
                child.WaitForExit();
                // SIGKILL, not a normal end: the run really died at that point.
                Assert.True(child.ExitCode != 0, $"trial {trial}: {what}, but the child exited {child.ExitCode}: {CliProcess.StandardError(child)}");
            }

            // The operator re-runs the same command with --resume (a file the child never got to create starts fresh).
            var resume = File.Exists(path) && MigrationJournal.GetRuns(path).Count > 0 ? Args(cs, path, "--resume") : Args(cs, path);
            Assert.True(CliProcess.Run(resume) == 0, $"trial {trial} ({what}): the resumed run failed");

            var actual = DatabaseFingerprint.Of(path, withRowid: false);
            Assert.True(expected.SequenceEqual(actual), $"trial {trial} ({what}):\n expected {string.Join("\n  ", expected)}\n actual   {string.Join("\n  ", actual)}");
            Assert.Equal(0L, DatabaseFingerprint.DuplicateKeys(path, "books", "id"));
            Assert.Equal(0L, DatabaseFingerprint.DuplicateKeys(path, "authors", "name"));
            var run = Assert.Single(MigrationJournal.GetRuns(path));
            Assert.Equal(RunStatus.Completed, run.State);
            Assert.Equal(610L, run.RowsWritten);
            output.WriteLine($"trial {trial}: {what}; attempts {run.Attempts}; ok");
        }
        output.WriteLine($"24 trials in {watch.Elapsed.TotalSeconds:F1} s");
    }
}
