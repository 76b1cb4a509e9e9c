using Migration.Engine.Schema;
using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// Builds source <see cref="TableSchema"/>s from the catalog, inside the exporter's transaction
/// (so the schema and the rows come from one snapshot). Statements that can fail on user input
/// run under a savepoint, so a bad table name leaves the transaction usable.
/// </summary>
internal sealed class PgCatalogReader
{
    readonly NpgsqlConnection _connection;
    readonly Dictionary<uint, PgCatalogType> _types = [];
    readonly Dictionary<(uint, int), string> _formatNames = [];

    public PgCatalogReader(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Resolves a table name as psql would (search_path, quoting, case folding); null when there is no such relation.</summary>
    public (uint Oid, string Schema, string Name, char Kind)? Resolve(string typedName)
    {
        uint? oid;
        try
        {
            oid = Savepoint(() =>
            {
                using var cmd = new NpgsqlCommand("SELECT to_regclass($1)::oid", _connection);
                cmd.Parameters.AddWithValue(typedName);
                return cmd.ExecuteScalar() is uint u ? u : (uint?)null;
            });
        }
        catch (PostgresException ex) when (ex.SqlState is "42601" or "42602" or "3F000" or "42P01")
        {
            // Syntax errors in the name (too many dots, stray quotes): say so, in Postgres' words.
            throw new PgSourceException(typedName, $"not a valid table name ({ex.MessageText}).");
        }
        if (oid is null) return null;

        using var info = new NpgsqlCommand(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1",
            _connection);
        info.Parameters.Add(OidParameter(oid.Value));
        using var r = info.ExecuteReader();
        if (!r.Read()) return null;
        return (oid.Value, r.GetString(0), r.GetString(1), r.GetChar(2));
    }

    /// <summary>
    /// The planner's estimate of a relation's row count (<c>pg_class.reltuples</c>), for progress
    /// and plans; null when unknown (-1 for a table never vacuumed or analyzed, 0 for a view).
    /// </summary>
    public long? EstimatedRows(uint relOid)
    {
        using var cmd = new NpgsqlCommand("SELECT reltuples FROM pg_catalog.pg_class WHERE oid = $1", _connection);
        cmd.Parameters.Add(OidParameter(relOid));
        return cmd.ExecuteScalar() is float f && f > 0 ? (long)f : null;
    }

    /// <summary>A relation's live columns in attnum order.</summary>
    public List<(short AttNum, string Name, uint TypeOid, int Typmod, bool NotNull, string FormatName)> Columns(uint relOid)
    {
        using var cmd = new NpgsqlCommand(
            """
            SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, pg_catalog.format_type(a.atttypid, a.atttypmod)
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, _connection);
        cmd.Parameters.Add(OidParameter(relOid));
        using var r = cmd.ExecuteReader();
        var list = new List<(short, string, uint, int, bool, string)>();
        while (r.Read())
            list.Add((r.GetInt16(0), r.GetString(1), r.GetFieldValue<uint>(2), r.GetInt32(3), r.GetBoolean(4), r.GetString(5)));
        return list;
    }

    /// <summary>The primary key's attnums in key order; empty when the table has none.</summary>
    public short[] PrimaryKey(uint relOid)
    {
        using var cmd = new NpgsqlCommand(
            "SELECT conkey FROM pg_catalog.pg_constraint WHERE conrelid = $1 AND contype = 'p'", _connection);
        cmd.Parameters.Add(OidParameter(relOid));
        return cmd.ExecuteScalar() is short[] key ? key : [];
    }

    public PgType Classify(uint typeOid, int typmod, string formatName) =>
        PgTypeClassifier.Classify(typeOid, typmod, formatName, LookupType, FormatType);

    PgCatalogType LookupType(uint oid)
    {
        if (_types.TryGetValue(oid, out var known)) return known;
        // A true array is a type whose element type names it as its array type (this leaves
        // out int2vector/oidvector/point-like types that only have typelem set).
        using var cmd = new NpgsqlCommand(
            """
            SELECT t.typname, t.typtype, t.typbasetype, t.typtypmod,
                   CASE WHEN t.typelem <> 0 AND e.typarray = t.oid THEN t.typelem ELSE 0::oid END
            FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
            WHERE t.oid = $1
            """, _connection);
        cmd.Parameters.Add(OidParameter(oid));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new InvalidOperationException($"Type oid {oid} is not in pg_type.");
        var type = new PgCatalogType(oid, r.GetString(0), r.GetChar(1), r.GetFieldValue<uint>(2), r.GetInt32(3), r.GetFieldValue<uint>(4));
        _types[oid] = type;
        return type;
    }

    string FormatType(uint oid, int typmod)
    {
        if (_formatNames.TryGetValue((oid, typmod), out var known)) return known;
        using var cmd = new NpgsqlCommand("SELECT pg_catalog.format_type($1, $2)", _connection);
        cmd.Parameters.Add(OidParameter(oid));
        cmd.Parameters.AddWithValue(typmod < 0 ? (object)DBNull.Value : typmod);
        var name = (string)cmd.ExecuteScalar()!;
        _formatNames[(oid, typmod)] = name;
        return name;
    }

    /// <summary>Whether money values carry two fraction digits here (Npgsql-style reading assumes it; lc_monetary decides).</summary>
    public bool MoneyHasTwoFractionDigits()
    {
        using var cmd = new NpgsqlCommand("SELECT pg_catalog.cash_send('1'::money)", _connection);
        return cmd.ExecuteScalar() is byte[] raw && System.Convert.ToHexString(raw) == "0000000000000064";
    }

    /// <summary>Runs <paramref name="action"/> under a savepoint: on a Postgres error the transaction stays usable.</summary>
    public T Savepoint<T>(Func<T> action)
    {
        Execute("SAVEPOINT migration_catalog");
        try
        {
            var result = action();
            Execute("RELEASE SAVEPOINT migration_catalog");
            return result;
        }
        catch (PostgresException)
        {
            Execute("ROLLBACK TO SAVEPOINT migration_catalog");
            Execute("RELEASE SAVEPOINT migration_catalog");
            throw;
        }
    }

    /// <summary>An oid parameter: Npgsql does not infer the type from a uint.</summary>
    static NpgsqlParameter OidParameter(uint oid) => new() { Value = oid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid };

    void Execute(string sql)
    {
        using var cmd = new NpgsqlCommand(sql, _connection);
        cmd.ExecuteNonQuery();
    }
}
