using System.Text;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Target.SqlFile;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.SqlText;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.SqlFile;

/// <summary>
/// The proof that the .sql file target writes what D1 executes: the files go through
/// <c>wrangler d1 execute DB --local --file</c> (wrangler 4.86, a real local D1 under workerd)
/// and every value is read back from the database D1 wrote, with its storage class.
/// </summary>
public sealed class SqlFileTargetWranglerTests : IDisposable
{
    readonly WranglerLocalD1 _d1 = WranglerLocalD1.Create();
    readonly string _out = Path.Combine(Path.GetTempPath(), "migration-sqlfile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _d1.Dispose();
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    static readonly TableSchema Corpus = D1("corpus",
        [Col("id", D1Type.Integer, false), Col("i", D1Type.Integer), Col("r", D1Type.Real), Col("t", D1Type.Text), Col("b", D1Type.Blob)], 0);

    /// <summary>One row per corpus value, in the column of its storage class.</summary>
    static Row CorpusRow(int id, object? value) => R(Corpus, (long)id,
        value as long?, value as double?, value as string, value as byte[]);

    static (List<RowError> Errors, List<TableSummary> Summaries, IReadOnlyList<string> Files) Write(SqlFileDatabase database, ImportOptions options, IEnumerable<Row> rows)
    {
        var errors = new List<RowError>();
        using var target = database.Open(options, null);
        target.RowFailed += errors.Add;
        foreach (var row in rows) target.Add(row);
        var summaries = target.Complete().ToList();
        return (errors, summaries, database.FilesWritten);
    }

    void ExecuteAll(IReadOnlyList<string> files)
    {
        foreach (var f in files) _d1.ExecuteFile(f);
    }

    [Fact]
    public void The_fidelity_corpus_written_to_a_file_and_executed_by_wrangler_reads_back_exactly()
    {
        var values = LiteralCorpus.Values;
        var file = Path.Combine(_out, "corpus.sql");
        var (errors, summaries, files) = Write(new SqlFileDatabase(file), new ImportOptions(), values.Select((v, i) => CorpusRow(i + 1, v)));
        Assert.Empty(errors);
        Assert.Equal([file], files); // one file: it takes the name given
        var text = File.ReadAllText(file);
        Assert.DoesNotContain("BEGIN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("COMMIT", text, StringComparison.Ordinal);
        Assert.Equal(values.Length, summaries.Single().RowsWritten);

        ExecuteAll(files);

        // typeof as D1 reports it through wrangler; the values from the database file D1 wrote (exact bits, no JSON in between).
        var types = _d1.Query("SELECT typeof(i) AS ti, typeof(r) AS tr, typeof(t) AS tt, typeof(b) AS tb FROM corpus ORDER BY id");
        var stored = Rows(_d1.StateFile, "SELECT i, r, t, b FROM corpus ORDER BY id");
        Assert.Equal(values.Length, stored.Count);
        for (var n = 0; n < values.Length; n++)
        {
            var v = values[n];
            var column = v switch { long => 0, double => 1, string => 2, byte[] => 3, _ => -1 };
            var names = new[] { "ti", "tr", "tt", "tb" };
            for (var c = 0; c < 4; c++)
                Assert.Equal(c == column ? SqlQuoteValueTests.TypeOf(v) : "null", types[n][names[c]].GetString());
            switch (v)
            {
                case long l: Assert.Equal(l, (long)stored[n][0]!); break;
                // Bit for bit, except -0.0: SQLite keeps a whole REAL in a REAL column as an integer on disk, so -0.0 comes
                // back as 0.0 whichever way it is written (bound or literal); the literal itself carries the sign (SqlQuoteValueTests).
                case double d when d == 0: Assert.Equal(0.0, (double)stored[n][1]!); break;
                case double d: Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits((double)stored[n][1]!)); break;
                case string s: Assert.Equal(s, (string)stored[n][2]!); break;
                case byte[] b: Assert.Equal(b, (byte[])stored[n][3]!); break;
                default: Assert.All(stored[n], x => Assert.Null(x)); break;
            }
        }
    }

    static readonly TableSchema Notes = D1("notes", [Col("id", D1Type.Integer, false), Col("body", D1Type.Text)], 0);

    [Fact]
    public void A_row_too_big_for_one_statement_is_refused_by_key_and_the_others_are_written_in_statements_filled_to_the_limit_across_files()
    {
        var rows = Enumerable.Range(1, 600).Select(i => R(Notes, (long)i, i == 300 ? new string('x', 150_000) : new string((char)('a' + i % 26), 1000) + " it's")).ToList();
        var database = new SqlFileDatabase(_out, maxFileBytes: 200_000);
        var (errors, summaries, files) = Write(database, new ImportOptions { BatchSize = 100_000 }, rows);

        var error = Assert.Single(errors);
        Assert.Equal("notes", error.Table);
        Assert.Contains("300", error.Key, StringComparison.Ordinal);
        Assert.Equal("body", error.Column);
        Assert.Contains("-Database", error.Reason, StringComparison.Ordinal);
        Assert.Contains("100000", error.Reason.Replace(",", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(599, summaries.Single().RowsWritten);
        Assert.Equal(1, summaries.Single().RowsFailed);

        // 599 rows of ~1 KB: 6 statements of at most 100,000 bytes, each but the last filled to within one row of the limit; 2 per file.
        Assert.Equal(Enumerable.Range(1, files.Count).Select(n => Path.Combine(_out, n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + ".sql")), files);
        Assert.True(files.Count >= 3, $"{files.Count} files");
        var statements = files.SelectMany(f => File.ReadAllText(f).Split(";\n")).Where(s => s.Contains("INSERT", StringComparison.Ordinal)).ToList();
        Assert.All(statements, s => Assert.True(Encoding.UTF8.GetByteCount(s) + 1 <= 100_000, $"{Encoding.UTF8.GetByteCount(s)} bytes"));
        Assert.All(statements.SkipLast(1), s => Assert.True(Encoding.UTF8.GetByteCount(s) > 100_000 - 1100, $"{Encoding.UTF8.GetByteCount(s)} bytes: not filled"));
        Assert.Empty(Directory.GetFiles(_out, "*.partial"));

        ExecuteAll(files);
        var back = Rows(_d1.StateFile, "SELECT id, body FROM notes ORDER BY id");
        Assert.Equal(rows.Where(r => (long)r.GetValue(0)! != 300).Select(r => new object?[] { r.GetValue(0), r.GetValue(1) }), back);
    }

    static TableSchema Employees() =>
        new(SchemaKind.D1, null, "employees", "employees", [Col("id", D1Type.Integer, false), Col("manager", D1Type.Integer)], [0])
        {
            Definition = new TableDefinition([new ColumnDefinition("id"), new ColumnDefinition("manager")],
                foreignKeys: [new ForeignKeyDefinition("employees_manager_fk", ["manager"], null, "employees", ["id"])]),
        };

    [Fact]
    public void Foreign_keys_are_deferred_to_the_end_of_each_file_so_a_row_may_name_a_later_one_and_an_orphan_fails_its_file_whole()
    {
        var employees = Employees();
        // One row per INSERT (-BatchSize 1): without the PRAGMA, row 1 would fail at once, its manager not in yet.
        var (errors, _, files) = Write(new SqlFileDatabase(Path.Combine(_out, "staff.sql")), new ImportOptions { BatchSize = 1 },
            [R(employees, 1L, 2L), R(employees, 2L, 1L), R(employees, 3L, null)]);
        Assert.Empty(errors);
        var text = File.ReadAllText(Assert.Single(files));
        Assert.Contains("PRAGMA defer_foreign_keys = on;", text, StringComparison.Ordinal);
        Assert.Contains("FOREIGN KEY", text, StringComparison.Ordinal);
        ExecuteAll(files);
        Assert.Equal(Expect([1L, 2L], [2L, 1L], [3L, null]), Rows(_d1.StateFile, "SELECT id, manager FROM employees ORDER BY id"));

        // An orphan: D1 checks the deferred keys when the file commits, and the whole file is refused.
        var orphan = Path.Combine(_out, "orphan");
        var (_, _, more) = Write(new SqlFileDatabase(orphan), new ImportOptions { BatchSize = 1 }, [R(employees, 4L, null), R(employees, 5L, 99L)]);
        Assert.ThrowsAny<InvalidOperationException>(() => ExecuteAll(more));
        Assert.Equal(3L, Rows(_d1.StateFile, "SELECT count(*) FROM employees")[0][0]);
    }

    [Fact]
    public void A_folder_with_sql_files_already_or_an_existing_file_is_refused_before_anything_is_written()
    {
        Directory.CreateDirectory(_out);
        Assert.Null(SqlFileSet.Problem(_out));
        File.WriteAllText(Path.Combine(_out, "0003.sql"), "SELECT 1;");
        Assert.Contains("0003.sql", SqlFileSet.Problem(_out), StringComparison.Ordinal);
        Assert.Contains("exists", SqlFileSet.Problem(Path.Combine(_out, "0003.sql")), StringComparison.Ordinal);
        Assert.Null(SqlFileSet.Problem(Path.Combine(_out, "new.sql")));
    }
}
