using System.Globalization;
using System.Text;
using Migration.Engine.Schema;
using Npgsql;

namespace Migration.Engine.Target.Postgres;

/// <summary>
/// -DeferForeignKeys: the target's foreign keys are not checked row by row while a run loads
/// (half of Postgres' work for a child table, measured: bench/RESULTS.md), and each foreign key
/// that touches a loaded table is validated by one query at the end of the run, as pgloader does.
/// </summary>
/// <remarks>
/// <para>How: the run's own connection sets <c>session_replication_role = replica</c>, under
/// which Postgres does not fire the internal triggers that check foreign keys. Nothing in the
/// catalog changes (no constraint is dropped or disabled), so a run killed at any moment leaves
/// the schema as it was, ConvertTo-PgRow and the id map still see every foreign key, resume
/// and Undo-Migration work as without the switch, and other sessions keep checking.</para>
/// <para>Replica mode also skips a table's ordinary triggers and fires replica-only ones: a
/// silent change, so the run refuses to start while any user table has such a trigger (an
/// <c>ENABLE ALWAYS</c> trigger fires either way and is fine). Setting the parameter takes a
/// superuser, or on Postgres 15+ <c>GRANT SET ON PARAMETER session_replication_role</c>.</para>
/// <para>The validation at the end is whole-table (like <c>ALTER TABLE ... VALIDATE CONSTRAINT</c>):
/// a child row with no parent, whoever wrote it, fails the run loudly, naming the rows (up to
/// <see cref="NamedRows"/> per key) and counting them; the rows stay (the run is Failed and
/// resumable: fix the rows and resume to validate again, or Undo-Migration the run).</para>
/// </remarks>
internal static class PgForeignKeyDeferral
{
    /// <summary>The journaled run option that says a run defers its foreign keys (a resume keeps validating).</summary>
    internal const string Option = "DeferForeignKeys=True";

    /// <summary>Orphan rows named per foreign key in the failure (all are counted).</summary>
    internal const int NamedRows = 20;

    /// <summary>Refuses when a trigger would behave differently in replica mode; then turns the session's foreign-key checks off.</summary>
    internal static void Begin(NpgsqlConnection connection, string journalSchema)
    {
        var triggers = new List<string>();
        using (var cmd = new NpgsqlCommand("""
            SELECT n.nspname, c.relname, t.tgname, t.tgenabled
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'R')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname <> $1
            ORDER BY 1, 2, 3
            """, connection))
        {
            cmd.Parameters.AddWithValue(journalSchema);
            using var r = cmd.ExecuteReader();
            while (r.Read())
                triggers.Add($"{Display(r.GetString(0), r.GetString(1))}.{r.GetString(2)}" + (r.GetChar(3) == 'R' ? " (fires only in replica mode)" : ""));
        }
        if (triggers.Count > 0)
            throw new InvalidOperationException("-DeferForeignKeys turns the foreign-key checks off for the load with session_replication_role = replica, "
                + $"which would also change whether these triggers fire: {string.Join(", ", triggers)}. Make a trigger that must fire during the load "
                + "ENABLE ALWAYS (ALTER TABLE ... ENABLE ALWAYS TRIGGER ...), or load without -DeferForeignKeys. Nothing was written.");
        try
        {
            using var set = new NpgsqlCommand("SET session_replication_role = replica", connection);
            set.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException("-DeferForeignKeys needs the right to set session_replication_role (a superuser, or on Postgres 15+: "
                + "GRANT SET ON PARAMETER session_replication_role TO <the role>); load without -DeferForeignKeys otherwise. Nothing was written.", ex);
        }
    }

    /// <summary>A table's name as the target names it (<c>users</c>, <c>app.users</c>).</summary>
    internal static string Display(string schema, string table) => schema == "public" ? table : schema + "." + table;

    sealed record ForeignKey(string Name, string Child, string ChildSql, string Parent, string ParentSql, string[] Columns, string[] ParentColumns, bool MatchFull, string[] ChildKey);

    /// <summary>
    /// Validates every foreign key whose child or parent is one of <paramref name="tables"/>
    /// (names as the target writes them) by one query each; throws
    /// <see cref="ForeignKeyValidationException"/> naming the rows that have no parent.
    /// </summary>
    internal static void Validate(NpgsqlConnection connection, IReadOnlyCollection<string> tables)
    {
        if (tables.Count == 0) return;
        var keys = ForeignKeys(connection, tables);
        var problems = new List<string>();
        long total = 0;
        foreach (var fk in keys)
        {
            var (count, named) = Orphans(connection, fk);
            if (count == 0) continue;
            total += count;
            problems.Add($"foreign key {fk.Name} ({fk.Child}.{string.Join(", ", fk.Columns)} -> {fk.Parent}): {count} row(s) with no parent row: "
                + string.Join("; ", named) + (count > named.Count ? $"; and {count - named.Count} more" : ""));
        }
        if (problems.Count > 0)
            throw new ForeignKeyValidationException(total, "The foreign keys deferred by -DeferForeignKeys do not hold at the end of the run: "
                + string.Join(". ", problems) + ". The rows stay and the run is Failed: fix them (or their parents) and -Resume to validate again, or Undo-Migration the run.");
    }

    static List<ForeignKey> ForeignKeys(NpgsqlConnection connection, IReadOnlyCollection<string> tables)
    {
        const string Names = "(SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest({0}) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = {1} AND a.attnum = k.n)";
        using var cmd = new NpgsqlCommand($"""
            SELECT con.conname::text, n.nspname::text, c.relname::text, con.conrelid::regclass::text, pn.nspname::text, pc.relname::text, con.confrelid::regclass::text,
                   {string.Format(CultureInfo.InvariantCulture, Names, "con.conkey", "con.conrelid")},
                   {string.Format(CultureInfo.InvariantCulture, Names, "con.confkey", "con.confrelid")},
                   con.confmatchtype = 'f',
                   (SELECT {string.Format(CultureInfo.InvariantCulture, Names, "x.indkey::int2[]", "x.indrelid")} FROM pg_index x WHERE x.indrelid = con.conrelid AND x.indisprimary)
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE con.contype = 'f' AND con.convalidated
              AND (CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END = ANY($1)
                OR CASE WHEN pn.nspname = 'public' THEN pc.relname::text ELSE pn.nspname || '.' || pc.relname END = ANY($1))
            ORDER BY 2, 3, 1
            """, connection);
        cmd.Parameters.AddWithValue(tables.ToArray());
        using var r = cmd.ExecuteReader();
        var list = new List<ForeignKey>();
        while (r.Read())
            list.Add(new ForeignKey(r.GetString(0), Display(r.GetString(1), r.GetString(2)), r.GetString(3), Display(r.GetString(4), r.GetString(5)), r.GetString(6),
                r.GetFieldValue<string[]>(7), r.GetFieldValue<string[]>(8), r.GetBoolean(9), r.IsDBNull(10) ? [] : r.GetFieldValue<string[]>(10)));
        return list;
    }

    /// <summary>The child rows of one foreign key with no parent (MATCH SIMPLE: a key with a NULL is not checked; MATCH FULL: all NULL or none).</summary>
    static (long Count, List<string> Named) Orphans(NpgsqlConnection connection, ForeignKey fk)
    {
        var column = fk.Columns.Select(c => "c." + SqlQuote.Identifier(c)).ToArray();
        var join = string.Join(" AND ", fk.Columns.Select((c, i) => $"p.{SqlQuote.Identifier(fk.ParentColumns[i])} = {column[i]}"));
        var missing = $"NOT EXISTS (SELECT 1 FROM {fk.ParentSql} p WHERE {join})";
        var allSet = string.Join(" AND ", column.Select(c => c + " IS NOT NULL"));
        var where = fk.MatchFull
            ? $"NOT ({string.Join(" AND ", column.Select(c => c + " IS NULL"))}) AND (NOT ({allSet}) OR {missing})"
            : $"{allSet} AND {missing}";
        var keyNames = fk.ChildKey.Length > 0 ? fk.ChildKey : ["ctid"];
        var shown = string.Join(", ", keyNames.Concat(fk.Columns).Select(c => (c == "ctid" ? "c.ctid" : "c." + SqlQuote.Identifier(c)) + "::text"));
        using var cmd = new NpgsqlCommand($"SELECT {shown}, count(*) OVER () FROM {fk.ChildSql} c WHERE {where} LIMIT {NamedRows}", connection);
        cmd.CommandTimeout = 0; // one scan of the whole table; its time is the table's size, not a hang
        using var r = cmd.ExecuteReader();
        var named = new List<string>();
        long count = 0;
        while (r.Read())
        {
            var text = new StringBuilder();
            for (var i = 0; i < keyNames.Length; i++) text.Append(i == 0 ? "" : ", ").Append(keyNames[i]).Append('=').Append(Excerpt(r, i));
            text.Append(" (").Append(string.Join(", ", fk.Columns.Select((c, i) => c + "=" + Excerpt(r, keyNames.Length + i)))).Append(')');
            named.Add(text.ToString());
            count = r.GetInt64(keyNames.Length + fk.Columns.Length);
        }
        return (count, named);
    }

    static string Excerpt(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? "NULL" : ValueExcerpt.Of(r.GetString(i));
}

/// <summary>Foreign keys deferred by -DeferForeignKeys that do not hold at the end of a run; the message names the rows.</summary>
public sealed class ForeignKeyValidationException(long orphans, string message) : Exception(message)
{
    /// <summary>Child rows with no parent row, over every foreign key validated.</summary>
    public long Orphans { get; } = orphans;
}
