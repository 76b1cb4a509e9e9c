using Migration.Engine.Cloudflare;
using Migration.Engine.Integrity;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// Keeps a remote run's checksum of a table true when its fix-up deletes a row the run wrote
/// (-OrphanPolicy Skip, a deferred key whose parent is missing), as <see cref="DeletedRowChecksum"/>
/// does locally: undo proves a table the run found empty or created is still the run's by that
/// checksum (<see cref="RunContentProof"/>), and with the deleted row's hash still in it the proof
/// failed and undo of an untouched table was refused without -Force.
/// </summary>
/// <remarks>
/// Before the page's request, a few reads: each table's checksum, and each deleted row by its key
/// (values exact, <see cref="D1ExactRead"/>), hashed with the deferred values the page's fix-ups
/// carry put back (the batch hashed the row as the source gave it). Each deletion then carries an
/// UPDATE of the checksum that applies only while the row is there and the checksum is the one
/// the reads saw: in the deletion's request, so it counts exactly once, and a stale read changes
/// nothing (the checksum then no longer proves the table, and undo asks for -Force, never the
/// reverse). A checksum that proves nothing already is left as it is.
/// </remarks>
internal static class RemoteDeletedRowChecksum
{
    /// <summary>Reads per <c>/raw</c> request.</summary>
    const int StatementsPerRequest = 20;

    /// <summary>
    /// For each of <paramref name="deleted"/> (fix-ups of <paramref name="page"/> whose row is
    /// deleted, in the order they are sent): the statements to send before its DELETE (none for a
    /// row already taken out by an earlier fix-up of the page, or without a checksum to keep).
    /// <paramref name="present"/> is the condition that the fix-up's row is there (its key as <c>$k0</c>...).
    /// </summary>
    public static Dictionary<RemoteForeignKeys.Fixup, D1Statement[]> Statements(long runId, IReadOnlyList<RemoteForeignKeys.Fixup> page,
        IReadOnlyList<RemoteForeignKeys.Fixup> deleted, Func<RemoteForeignKeys.Fixup, (string Sql, (string, object?)[] Parameters)> present,
        Func<IReadOnlyList<D1Statement>, IReadOnlyList<D1RawResult>> raw)
    {
        var result = new Dictionary<RemoteForeignKeys.Fixup, D1Statement[]>(ReferenceEqualityComparer.Instance);
        if (deleted.Count == 0) return result;
        var tables = deleted.Select(f => f.Table).Distinct(StringComparer.Ordinal).ToList();
        var recorded = new Dictionary<string, (string[] Columns, UInt128 Sum)>(StringComparer.Ordinal);
        var stored = new Dictionary<string, string>(StringComparer.Ordinal); // as the journal holds it now (the condition of the next UPDATE)
        var answers = Read(tables.Select(t => D1Statement.Of($"SELECT columns, checksum FROM {JournalTables.RunTables} WHERE run_id = {{0}} AND table_name = {{1}}", runId, t)).ToList(), raw, exact: false);
        for (var i = 0; i < tables.Count; i++)
            if (answers[i] is [var r, ..] && DeletedRowChecksum.Parse(((string?)r[0], (string?)r[1])) is { } parsed)
            {
                recorded[tables[i]] = parsed;
                stored[tables[i]] = (string)r[1]!;
            }

        // One read per deleted row (the first fix-up that deletes it), its columns as the run's checksum has them.
        var rows = deleted.Where(f => recorded.ContainsKey(f.Table)).GroupBy(f => (f.Table, RemoteForeignKeys.KeyText(f.Key))).Select(g => g.First()).ToList();
        var values = Read([.. rows.Select(f => D1Statement.Of(
            $"SELECT {string.Join(", ", recorded[f.Table].Columns.Select(D1ExactRead.Column))} FROM {SqlQuote.Identifier(f.Table)} WHERE "
            + f.KeyWhere, f.Key))], raw, exact: true);
        var hashers = new Dictionary<string, RowHasher>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var f = rows[i];
            if (values[i] is not [var row, ..]) continue; // not there: nothing of it is in the table to take out
            var (columns, before) = recorded[f.Table];
            if (!hashers.TryGetValue(f.Table, out var hasher)) hashers[f.Table] = hasher = new RowHasher(columns, []);
            var key = RemoteForeignKeys.KeyText(f.Key);
            // Every deferred value of the row the page carries (the table holds them NULL until filled in).
            var putBack = page.Where(p => p.Table == f.Table && RemoteForeignKeys.KeyText(p.Key) == key).SelectMany(p => p.Columns.Zip(p.Values));
            var after = before - DeletedRowChecksum.HashAsWritten(hasher, columns, [.. row], putBack);
            recorded[f.Table] = (columns, after);
            var (exists, parameters) = present(f);
            var statements = new D1BatchStatements();
            JournalStore.ReplaceChecksum(statements, runId, f.Table, ContentHash.ToStored(after), "checksum = $before AND " + exists,
                [("$before", stored[f.Table]), .. parameters]);
            stored[f.Table] = ContentHash.ToStored(after);
            result[f] = [.. statements.Statements];
        }
        return result;
    }

    /// <summary>The rows of each statement, a few requests for all of them.</summary>
    static List<IReadOnlyList<object?[]>> Read(List<D1Statement> statements, Func<IReadOnlyList<D1Statement>, IReadOnlyList<D1RawResult>> raw, bool exact)
    {
        var rows = new List<IReadOnlyList<object?[]>>(statements.Count);
        for (var at = 0; at < statements.Count; at += StatementsPerRequest)
            rows.AddRange(raw(statements.GetRange(at, Math.Min(StatementsPerRequest, statements.Count - at))).Select(r => r.DecodeRows(exact)));
        return rows;
    }
}
