using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// On a resumed run, tells rows an earlier attempt already committed from rows still to write,
/// by key: in a table the run created (or found empty) every row is the run's own, so a key that is there is
/// done; in a table that existed before, a key is done when its row is one the run's undo log
/// says it wrote. This does not depend on the rows arriving in any order, so it holds whether
/// the source resumes after the checkpoint or sends everything again.
/// </summary>
internal sealed class ResumeFilter : IDisposable
{
    readonly MigrationRun _run;
    readonly SqliteConnection _connection;
    readonly Dictionary<string, Lookup?> _lookups = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, HashSet<long>> _written = new(StringComparer.OrdinalIgnoreCase);
    TableSchema? _lastSchema;
    Lookup? _last;

    public ResumeFilter(MigrationRun run, string path)
    {
        _run = run;
        // A connection of its own: the target writes on its connection from a writer thread.
        // Only what earlier attempts committed matters here, and that is visible to any reader.
        _connection = SqliteTarget.OpenConnection(path, readOnly: true);
        using var read = _connection.CreateCommand();
        read.CommandText = $"SELECT table_name, new_rowid FROM {JournalTables.UndoLog} WHERE run_id = $run AND op IN ('I', 'U') AND new_rowid IS NOT NULL";
        read.Parameters.AddWithValue("$run", run.RunId);
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            var table = reader.GetString(0);
            if (!_written.TryGetValue(table, out var set)) _written[table] = set = [];
            set.Add(reader.GetInt64(1));
        }
    }

    public long Skipped { get; private set; }

    public bool IsAlreadyWritten(Row row)
    {
        var schema = row.GetSchema();
        if (!ReferenceEquals(schema, _lastSchema))
        {
            _last = LookupFor(schema);
            _lastSchema = schema;
        }
        if (_last is null) return false;
        var rowid = _last.Find(row);
        var done = rowid is not null && (_last.Created || (_written.TryGetValue(schema.Name, out var set) && set.Contains(rowid.Value)));
        if (done) Skipped++;
        return done;
    }

    Lookup? LookupFor(TableSchema schema)
    {
        var key = schema.Name + "\u0001" + string.Join("\u0001", schema.PrimaryKey.Select(k => schema.Columns[k].Name));
        if (_lookups.TryGetValue(key, out var lookup)) return lookup;
        // Keyless tables were emptied of the run's rows when the target opened (see MigrationJournal): nothing to skip.
        lookup = schema.HasPrimaryKey && SqliteTableInfo.Read(_connection, schema.Name) is { } table
            ? new Lookup(_connection, table.Name, schema, _run.OwnsAllRows(table.Name))
            : null;
        _lookups[key] = lookup;
        return lookup;
    }

    public void Dispose()
    {
        foreach (var l in _lookups.Values) l?.Dispose();
        _lookups.Clear();
        _connection.Dispose();
    }

    sealed class Lookup : IDisposable
    {
        readonly SqliteCommand _command;
        readonly SqliteParameter[] _parameters;
        readonly int[] _ordinals;

        public Lookup(SqliteConnection connection, string table, TableSchema schema, bool created)
        {
            Created = created;
            _ordinals = [.. schema.PrimaryKey];
            _command = connection.CreateCommand();
            _command.CommandText = "SELECT rowid FROM " + SqlQuote.Identifier(table) + " WHERE "
                + string.Join(" AND ", _ordinals.Select((o, i) => SqlQuote.Identifier(schema.Columns[o].Name) + " = $k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            _parameters = new SqliteParameter[_ordinals.Length];
            for (var i = 0; i < _ordinals.Length; i++)
                _parameters[i] = _command.Parameters.Add(new SqliteParameter("$k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), DBNull.Value));
            _command.Prepare();
        }

        public bool Created { get; }

        public long? Find(Row row)
        {
            for (var i = 0; i < _ordinals.Length; i++) _parameters[i].Value = row.GetValue(_ordinals[i]) ?? DBNull.Value;
            return _command.ExecuteScalar() is long rowid ? rowid : null;
        }

        public void Dispose() => _command.Dispose();
    }
}
