using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Journal;

/// <summary>The two tables the journal tests write: one keyed by text, one without a key.</summary>
static class JournalTestTables
{
    public static readonly TableSchema Books = D1("books", [Col("isbn", D1Type.Text, false), Col("title", D1Type.Text, false), Col("pages", D1Type.Integer)], 0);
    public static readonly TableSchema Log = D1("log", [Col("line", D1Type.Text)]);

    /// <summary>Books <paramref name="from"/>..<paramref name="to"/>; with <paramref name="nullPagesEvery"/>, every n-th has NULL pages.</summary>
    public static IEnumerable<Row> BookRows(int from, int to, int nullPagesEvery = 0) =>
        Enumerable.Range(from, to - from + 1).Select(i => R(Books, $"978-{i:D6}", $"Title {i}", nullPagesEvery > 0 && i % nullPagesEvery == 0 ? null : (long)i));

    /// <summary>One whole journaled run of <paramref name="rows"/> into the file, completed and disposed.</summary>
    public static MigrationRun CompleteRun(string path, IEnumerable<Row> rows, OnConflict mode, int batchSize)
    {
        var written = rows.ToList();
        var tables = written.Select(r => r.GetSchema().Name).Distinct().ToList();
        var run = MigrationJournal.Start(path, new RunStart { Source = "test", Tables = tables, Options = mode.ToString() });
        using (var target = run.OpenTarget(new ImportOptions { BatchSize = batchSize, OnConflict = mode }))
        {
            foreach (var row in written) target.Add(row);
            target.Complete();
            run.Complete();
        }
        run.Dispose();
        return run;
    }

    public static IEnumerable<Row> LogRows(int count) => Enumerable.Range(1, count).Select(i => R(Log, $"line {i}"));
}
