using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Journal;

/// <summary>
/// The journal lives in the D1 database itself: a real local D1 (wrangler / workerd) must accept
/// its tables (no reserved <c>_cf_</c> names) and read them, and an undo done on the state file
/// must be what wrangler then sees.
/// </summary>
public sealed class JournalWranglerTests : IDisposable
{
    readonly WranglerLocalD1 _d1 = WranglerLocalD1.Create();
    public void Dispose() => _d1.Dispose();

    static readonly TableSchema Books = D1("books", [Col("isbn", D1Type.Text, false), Col("title", D1Type.Text)], 0);

    [Fact]
    public void A_journaled_run_into_the_D1_state_file_is_readable_through_wrangler_and_undone()
    {
        _d1.Execute("CREATE TABLE books (isbn TEXT PRIMARY KEY, title TEXT); INSERT INTO books VALUES ('1', 'kept'), ('2', 'old title');");
        var run = MigrationJournal.Start(_d1.StateFile, new RunStart { Source = "kv", Options = "test" });
        using (var target = run.OpenTarget(new ImportOptions { BatchSize = 2, OnConflict = OnConflict.Upsert }))
        {
            foreach (var (isbn, title) in new[] { ("2", "new title"), ("3", "three"), ("4", "four") }) target.Add(R(Books, isbn, title));
            target.Complete();
            run.Complete();
        }
        run.Dispose();

        var runs = _d1.Query("SELECT run_id, status FROM d1_migration_runs");
        Assert.Equal("Completed", Assert.Single(runs)["status"].GetString());
        Assert.Equal(2, _d1.Query("SELECT count(*) AS n FROM d1_migration_batches")[0]["n"].GetInt32());
        Assert.Equal("new title", _d1.Query("SELECT title FROM books WHERE isbn = '2'")[0]["title"].GetString());

        MigrationUndo.Undo(_d1.StateFile, run.RunId);

        var books = _d1.Query("SELECT isbn, title FROM books ORDER BY isbn");
        Assert.Equal(["1:kept", "2:old title"], books.Select(b => b["isbn"].GetString() + ":" + b["title"].GetString()));
        Assert.Equal("Undone", _d1.Query("SELECT status FROM d1_migration_runs")[0]["status"].GetString());
    }
}
