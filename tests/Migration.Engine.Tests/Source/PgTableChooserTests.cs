using Migration.Engine.Source;
using Migration.Engine.Tests.Journal;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// The one table chooser of the cmdlets and the CLI. The CLI's own copy took <c>--schema</c> and
/// <c>--exclude-table</c> with named tables and ignored them; both hosts now refuse that.
/// </summary>
public sealed class PgTableChooserTests
{
    [Theory]
    [InlineData(OptionSpelling.Cmdlet, "-Schema and -ExcludeTable select among all tables: use them with -All (or a wildcard in -Table).")]
    [InlineData(OptionSpelling.Cli, "--schema and --exclude-table select among all tables: use them with --all (or a wildcard in --table).")]
    public void Schema_or_ExcludeTable_with_named_tables_is_refused_not_ignored(OptionSpelling spelling, string message)
    {
        var schema = new PgTableChooser(false, ["books"], Schemas: ["sales"], Spelling: spelling);
        var exclude = new PgTableChooser(false, ["books"], ExcludeTables: ["books"], Spelling: spelling);

        Assert.Equal(message, Assert.Throws<ArgumentException>(schema.Validate).Message);
        Assert.Equal(message, Assert.Throws<ArgumentException>(exclude.Validate).Message);
    }

    [Theory]
    [InlineData(OptionSpelling.Cmdlet, "Give the tables to export (-Table), or -All for every table of the database.")]
    [InlineData(OptionSpelling.Cli, "Give the tables to export (--table), or --all for every table of the database.")]
    public void No_tables_and_no_All_is_refused(OptionSpelling spelling, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(new PgTableChooser(false, [], Spelling: spelling).Validate).Message);

    [Fact]
    public void Columns_apply_to_named_tables_only() =>
        Assert.StartsWith("-Column applies to named tables",
            Assert.Throws<ArgumentException>(new PgTableChooser(true, [], Columns: ["id"]).Validate).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(true, new string[0], true)]
    [InlineData(false, new[] { "books", "auth_*" }, true)]
    [InlineData(false, new[] { "sales.[ab]x" }, true)]
    [InlineData(false, new[] { "books", "authors" }, false)]
    public void All_or_a_wildcard_in_Table_selects_among_all_tables(bool all, string[] tables, bool selection)
    {
        var chooser = new PgTableChooser(all, tables, Schemas: ["public"], ExcludeTables: ["x"]);
        Assert.Equal(selection, chooser.IsSelection);
        if (selection) chooser.Validate(); // Schema and ExcludeTable are then meaningful
    }

    [Theory]
    [InlineData("ExcludeTable", "--exclude-table")]
    [InlineData("Table", "--table")]
    [InlineData("All", "--all")]
    public void The_CLI_spells_options_in_kebab_case(string name, string cli)
    {
        Assert.Equal(cli, new PgTableChooser(true, [], Spelling: OptionSpelling.Cli).Option(name));
        Assert.Equal("-" + name, new PgTableChooser(true, []).Option(name));
    }

    [Theory]
    [InlineData("schema")]
    [InlineData("migrate")]
    public void The_CLI_refuses_exclude_table_with_named_tables_before_it_connects_or_writes(string command)
    {
        var path = Path.Combine(Path.GetTempPath(), "chooser-" + Guid.NewGuid().ToString("N") + ".sqlite");
        // schema takes no --path (an option a command does not take is an error of its own).
        string[] target = command == "migrate" ? ["--path", path] : [];
        using var p = CliProcess.Start([command, "--pg", "Host=127.0.0.1;Port=1;Database=none", "--table", "books", "--exclude-table", "books", .. target]);
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)));
        p.WaitForExit();

        Assert.Equal(64, p.ExitCode);
        Assert.Contains("--schema and --exclude-table select among all tables", CliProcess.StandardError(p), StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
