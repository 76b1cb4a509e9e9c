using System.Security.Cryptography;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Target;

public sealed class SqliteTargetDryRunTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly TableSchema Books = D1("books", [Col("isbn", D1Type.Text, false), Col("title", D1Type.Text, false)], 0);

    [Fact]
    public void A_dry_run_creates_no_file_and_counts_what_a_real_run_writes()
    {
        var path = _dir.File("never.sqlite");
        Row[] rows = [R(Books, "1", "One"), R(Books, "2", null), R(Books, "3", "Three"), R(Books, "4", "Four")];

        var dry = Write(path, new ImportOptions { DryRun = true, BatchSize = 2 }, rows);

        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
        var real = Write(path, new ImportOptions { BatchSize = 2 }, rows);
        Assert.Equal(real.Summaries.Select(s => s with { Elapsed = default }), dry.Summaries.Select(s => s with { Elapsed = default }));
        Assert.Equal(real.Errors, dry.Errors);
        Assert.Equal(real.Batches.Select(b => b with { Elapsed = default }), dry.Batches.Select(b => b with { Elapsed = default }));
        Assert.Equal((3L, 1L), (dry.Summary("books").RowsWritten, dry.Summary("books").RowsFailed));
    }

    [Fact]
    public void A_dry_run_reports_the_tables_it_would_create()
    {
        var path = _dir.File("existing.sqlite");
        Exec(path, "CREATE TABLE books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL)");
        var authors = D1("authors", [Col("id", D1Type.Integer, false)], 0);

        using var target = SqliteTarget.Open(path, new ImportOptions { DryRun = true });
        target.Add(R(Books, "1", "One"));
        target.Add(R(authors, 1L));
        target.Complete();

        Assert.Equal(["authors"], target.CreatedTables);
    }

    [Theory]
    [InlineData(OnConflict.Abort, 0L, 0L, 0L)] // the table already holds a key of the first batch: refused as a whole, as a real run would
    [InlineData(OnConflict.Ignore, 1L, 1L, 0L)]
    [InlineData(OnConflict.Upsert, 2L, 0L, 0L)]
    [InlineData(OnConflict.Replace, 2L, 0L, 0L)]
    public void A_dry_run_on_an_existing_file_changes_nothing_and_finds_existing_keys(OnConflict mode, long written, long skipped, long failed)
    {
        var path = _dir.File("books.sqlite");
        Exec(path, "CREATE TABLE books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL); INSERT INTO books VALUES ('2', 'Two');");
        var before = SHA256.HashData(File.ReadAllBytes(path));

        var dry = Write(path, new ImportOptions { DryRun = true, OnConflict = mode }, [R(Books, "2", "Two again"), R(Books, "3", "Three")]);

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(["books.sqlite"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        var s = dry.Summary("books");
        Assert.Equal((written, skipped, failed), (s.RowsWritten, s.RowsSkipped, s.RowsFailed));
        Assert.Equal(Expect(["2", "Two"]), Rows(path, "SELECT * FROM books"));
    }

    [Fact]
    public void A_dry_run_refuses_what_a_real_run_refuses()
    {
        var path = _dir.File("t.sqlite");
        Exec(path, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        var schema = D1("t", [Col("id", D1Type.Integer, false), Col("extra", D1Type.Text)], 0);

        using var target = SqliteTarget.Open(path, new ImportOptions { DryRun = true });
        Assert.Throws<TargetSchemaException>(() => target.Add(R(schema, 1L, "x")));
        Assert.Throws<TargetSchemaException>(() => target.Add(R(D1("_cf_x", [Col("a", D1Type.Text)]), "x")));
    }

    [Fact]
    public void A_dry_run_reads_a_WAL_mode_file_like_the_local_D1_state_and_leaves_it_as_it_was()
    {
        var path = _dir.File("wal.sqlite");
        Exec(path, "PRAGMA journal_mode = WAL; CREATE TABLE books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL); INSERT INTO books VALUES ('2', 'Two');");
        var before = SHA256.HashData(File.ReadAllBytes(path));

        var dry = Write(path, new ImportOptions { DryRun = true, OnConflict = OnConflict.Ignore }, [R(Books, "2", "Two again"), R(Books, "3", "Three")]);

        Assert.Equal((1L, 1L), (dry.Summary("books").RowsWritten, dry.Summary("books").RowsSkipped));
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal("wal", Rows(path, "PRAGMA journal_mode")[0][0]);
        Assert.Equal(Expect(["2", "Two"]), Rows(path, "SELECT * FROM books"));
    }
}
