// Talks to the local D1 engine below the Worker binding. The binding's public methods do not fit a
// faithful REST emulation (batch() returns objects, so duplicate column names collapse; raw()
// returns no meta; bind() turns booleans into 1/0), so this uses the binding's own internal
// protocol, as workerd's D1 API does: POST http://d1/query with an array of {sql, params} runs
// them as ONE transaction in the D1 engine (Miniflare's D1DatabaseObject, the same SQLite with
// D1's limits) and answers one result per statement, or {success:false, error} for the whole.

export async function execute(db, statements, format = "ROWS_AND_COLUMNS") {
  const res = await db.fetcher.fetch(`http://d1/query?resultsFormat=${format}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(statements),
  });
  const body = await res.json();
  if (Array.isArray(body)) return { ok: true, results: body };
  return { ok: false, error: body.error ?? `D1 engine answered ${res.status}` };
}

// The dump Miniflare's D1 object writes for `wrangler d1 export --local` (the same format as
// the remote export): answered only for this exact pragma text.
export async function dump(db, { noSchema = false, noData = false, tables = [] } = {}) {
  const res = await db.fetcher.fetch("http://d1/query?resultsFormat=ROWS_AND_COLUMNS", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ sql: "PRAGMA miniflare_d1_export(?,?,?);", params: [noSchema ? 1 : 0, noData ? 1 : 0, ...tables] }]),
  });
  const body = await res.json();
  if (!body.success) return { ok: false, error: body.error };
  return { ok: true, lines: body.results[0] };
}

// meta as the REST API reports it (the engine's meta plus the fields only the remote has).
export function restMeta(meta) {
  return {
    served_by: "d1-api-server",
    served_by_region: "WEUR",
    served_by_primary: true,
    timings: { sql_duration_ms: meta?.duration ?? 0 },
    duration: meta?.duration ?? 0,
    changes: meta?.changes ?? 0,
    last_row_id: meta?.last_row_id ?? 0,
    changed_db: meta?.changed_db ?? false,
    size_after: meta?.size_after ?? 0,
    rows_read: meta?.rows_read ?? 0,
    rows_written: meta?.rows_written ?? 0,
  };
}

export function sumMeta(results) {
  const m = { duration: 0, changes: 0, rows_read: 0, rows_written: 0, changed_db: false, size_after: 0, last_row_id: 0 };
  for (const r of results) {
    m.duration += r.meta?.duration ?? 0;
    m.changes += r.meta?.changes ?? 0;
    m.rows_read += r.meta?.rows_read ?? 0;
    m.rows_written += r.meta?.rows_written ?? 0;
    m.changed_db ||= !!r.meta?.changed_db;
    m.size_after = r.meta?.size_after ?? m.size_after;
    m.last_row_id = r.meta?.last_row_id ?? m.last_row_id;
  }
  return m;
}

export function rowsToObjects(columns, rows) {
  return rows.map((row) => {
    const o = {};
    columns.forEach((c, i) => { o[c] = row[i]; });
    return o;
  });
}

// One lock per database: D1 runs a database's queries one at a time, and a snapshot or an
// import must not interleave with other requests' statements.
const locks = new Map();
export async function withLock(key, fn) {
  const prev = locks.get(key) ?? Promise.resolve();
  let release;
  const mine = new Promise((r) => (release = r));
  const chained = prev.then(() => mine);
  locks.set(key, chained);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (locks.get(key) === chained) locks.delete(key);
  }
}
