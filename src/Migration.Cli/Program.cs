using Migration.Cli;

// migration migrate --pg <connection string> --table a,b --map a=x --path out.sqlite [...]
// migration migrate --direction D1ToPostgres --path app.sqlite --pg <connection string> --all [...]
// migration verify --pg <connection string> --map a=x --path out.sqlite [...]
// migration runs --path out.sqlite; migration undo --path out.sqlite --last
// The connection string may be left out: the libpq environment variables apply, as in psql.
// Npgsql drives a Unix-socket connection non-blocking, so whenever COPY's reader catches up
// with the server the wake-up goes epoll thread -> thread pool -> reader, and the woken pool
// thread then spins (sched_yield) for more work: measured ~50k context switches a second on
// the 2-core benchmark machine. This host does only synchronous I/O, so the socket engine may
// complete on its own thread. Read once, at the first socket; an explicit setting is kept.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
    {
        Console.WriteLine("""
            usage: migration migrate (--table T[,T...] | --all [--schema S,..] [--exclude-table T,..]) --path FILE.sqlite [--pg CONNECTION-STRING]
                     [--map source=target ...] [--column-map table.col=new ...] [--exclude table.col ...]
                     [--timestamp-format Iso8601|SqliteDateTime|UnixSeconds|UnixMilliseconds]
                     [--numeric-as Auto|Real|Text] [--non-finite Error|Text|Null] [--allow-precision-loss]
                     [--batch-size N] [--on-conflict Abort|Ignore|Replace|Upsert] [--orphan-policy Fail|Skip|Null]
                     [--what-if] [--verbose] [--quiet]
                     [--resume] [--run-id N] [--max-errors N] [--error-log FILE.csv] [--backup FILE] [--no-journal]
                     (--resume continues the newest unfinished run, --run-id N that run; exit code 3 after --max-errors;
                     --max-errors 0 stops at the first refused row, its batch rolled back)
                   migration migrate --direction D1ToPostgres --path FILE.sqlite (--all [--exclude-table T,..] | --table T[,T...]) [--pg CONNECTION-STRING]
                     [--map d1table=pgtable ...] [--column-map table.col=new ...] [--exclude table.col ...] [--column-naming AsIs|SnakeCase]
                     [--assume-time-zone ZONE] [--epoch-unit Auto|Seconds|Milliseconds] [--allow-unmatched-name]
                     [--id-map None|Generate|Deterministic] [--orphan-policy Fail|Skip|Null] [--batch-size N] [--defer-foreign-keys]
                     [--journal-schema S] [--resume] [--run-id N] [--max-errors N] [--verbose] [--quiet]
                     (Export-D1Table | ConvertTo-PgRow | Import-PgTable in one process, into the existing Postgres tables; the
                     journal, id map and quarantine live in the target database; an unknown option or a name that matches
                     nothing is an error before anything is written, exit code 64; rows that did not convert: exit code 2)
                   migration schema (--table T[,T...] | --all [--schema S,..] [--exclude-table T,..]) [--pg CONNECTION-STRING]
                     [--map ...] [--column-map ...] [--exclude ...] [--timestamp-format ...] [--numeric-as ...]
                     [--migrations-path DIR [--migration-name NAME]] [--strict] [--allow-unmatched-name]
                     (prints the D1 DDL; with --migrations-path writes DIR/NNNN_NAME.sql for wrangler d1 migrations apply;
                     a table D1 cannot take is named on stderr and left out, exit code 2; --strict: nothing is printed
                     or written and one error lists every problem, exit code 3; a name in --map/--column-map/--exclude
                     that matches nothing is an error unless --allow-unmatched-name)
                   migration verify --path FILE.sqlite [--table T[,T...]] [--pg CONNECTION-STRING]
                     [--map source=target ...] [--column-map ...] [--exclude ...] [the conversion options of migrate]
                     [--check Schema,RowCount,Checksum,Sample,ForeignKeys,Json,Domain,Unique] (default: all)
                     [--sample-size N] [--max-differences N] [--quiet]
                     (the tables default to the sources --map names; exit code 2 when a check fails)
                   migration runs --path FILE.sqlite [--run-id N]
                   migration undo --path FILE.sqlite (--run-id N | --last) [--what-if] [--force] [--restore-backup]
            """);
        return 0;
    }
    var rest = new CliArguments(args.Skip(1));
    return args[0] switch
    {
        "migrate" => MigrateCommand.Run(rest),
        "verify" => VerifyCommand.Run(rest),
        "schema" => SchemaCommand.Run(rest),
        "runs" => RunsCommand.Run(rest),
        "undo" => UndoCommand.Run(rest),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'. Try: migration help"),
    };
}
catch (PreflightStopException ex)
{
    Console.Error.WriteLine($"migration: {ex.Message}");
    return 3;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 64;
}
catch (Exception ex)
{
    // Engine messages name the table and never carry a secret; a stack trace helps no operator.
    Console.Error.WriteLine($"migration: {ex.Message}");
    return 1;
}
