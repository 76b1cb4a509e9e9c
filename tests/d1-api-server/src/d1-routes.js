// D1 routes under /client/v4/accounts/:account/d1/database.
import { ok, fail, Codes } from "./envelope.js";
import { execute, dump, restMeta, sumMeta, rowsToObjects, withLock } from "./d1-engine.js";
import { splitSql } from "./sql-split.js";
import { makeBookmark, takeSnapshot, restoreStatements, wipeStatements } from "./snapshots.js";

let isolateId = null; // random values are not allowed at global scope: made on first use
const versions = new Map(); // uuid -> writes seen by this isolate (bookmark reuse)
const bump = (uuid) => versions.set(uuid, (versions.get(uuid) ?? 0) + 1);
const versionOf = (uuid) => `${(isolateId ??= crypto.randomUUID())}:${versions.get(uuid) ?? 0}`;

export function databases(env) {
  return JSON.parse(env.D1_DATABASES ?? "[]");
}

export function findDatabase(env, idOrName) {
  return databases(env).find((d) => d.uuid === idOrName || d.name === idOrName) ?? null;
}

export const notFound = (id) => fail(404, Codes.d1NotFound, `The database ${id} could not be found`);
const malformed = (msg) => fail(400, Codes.d1Malformed, `The request is malformed: ${msg}`);
const sqlError = (msg) => fail(400, Codes.d1Sql, msg);

async function describe(env, d) {
  const r = await execute(env[d.binding], [{
    sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
  }]);
  return {
    uuid: d.uuid,
    name: d.name,
    version: "production",
    created_at: d.created_at ?? "2026-01-01T00:00:00.000Z",
    num_tables: r.ok ? r.results[0].results.rows[0][0] : 0,
    file_size: r.ok ? r.results[0].meta.size_after : 0,
    jurisdiction: null,
    read_replication: { mode: "disabled" },
  };
}

export async function listDatabases(env, url) {
  let list = databases(env);
  const name = url.searchParams.get("name");
  if (name) list = list.filter((d) => d.name === name);
  const perPage = Math.min(Math.max(parseInt(url.searchParams.get("per_page") ?? "1000", 10) || 1000, 1), 10000);
  const page = Math.max(parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1);
  const slice = list.slice((page - 1) * perPage, page * perPage);
  const result = [];
  for (const d of slice) result.push(await describe(env, d));
  return ok(result, { resultInfo: { page, per_page: perPage, count: result.length, total_count: list.length } });
}

export async function getDatabase(env, d) {
  return ok(await describe(env, d));
}

// REST parameter semantics (not the binding's): booleans become the TEXT 'true'/'false',
// numbers pass as numbers, arrays of bytes become BLOBs, null stays NULL.
function convertParam(p, where) {
  if (p === null || typeof p === "string" || typeof p === "number") return p;
  if (typeof p === "boolean") return p ? "true" : "false";
  if (Array.isArray(p) && p.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return p;
  throw new Error(`Invalid property: ${where} must be a string, number, boolean, null or an array of bytes`);
}

// Turns a /query or /raw body into the statements of one transaction.
export function parseQueryBody(body) {
  if (Array.isArray(body)) throw new Error("Expected object, received array");
  if (body === null || typeof body !== "object") throw new Error("Expected object");
  const entries = body.batch !== undefined ? body.batch : [body];
  if (body.batch !== undefined && (!Array.isArray(body.batch) || body.batch.length === 0)) {
    throw new Error("Invalid property: batch must be a non-empty array");
  }
  const statements = [];
  entries.forEach((e, i) => {
    const where = body.batch !== undefined ? `batch[${i}]` : "body";
    if (e === null || typeof e !== "object" || typeof e.sql !== "string") throw new Error(`Invalid property: ${where}.sql is required`);
    if (e.params !== undefined && e.params !== null && !Array.isArray(e.params)) throw new Error(`Invalid property: ${where}.params must be an array`);
    const params = (e.params ?? []).map((p, j) => convertParam(p, `${where}.params[${j}]`));
    const parts = splitSql(e.sql.replace(/\r\n/g, "\n"));
    if (parts.length > 1 && params.length > 0) throw new Error("params with multiple statements is not supported");
    if (parts.length <= 1) statements.push({ sql: parts[0] ?? e.sql, params });
    else for (const sql of parts) statements.push({ sql, params: [] });
  });
  return statements;
}

// POST /query and /raw: the whole request is one transaction.
export async function query(env, d, body, raw) {
  let statements;
  try {
    statements = parseQueryBody(body);
  } catch (e) {
    return malformed(e.message);
  }
  return withDb(env, d, async () => {
    const r = await execute(env[d.binding], statements);
    if (!r.ok) return fail(400, Codes.d1Sql, r.error, { result: [] });
    if (r.results.some((x) => x.meta?.changed_db)) bump(d.uuid);
    const result = r.results.map((x) => ({
      results: raw ? x.results : rowsToObjects(x.results.columns, x.results.rows),
      success: true,
      meta: restMeta(x.meta),
    }));
    return ok(result);
  });
}

// ---- import: init -> PUT upload_url -> ingest -> poll ---------------------------------------
//
// A file of at most `import_single_max` statements runs as ONE transaction inside the ingest
// request: a failing statement reverts it all. A larger file runs in chunks, a few seconds of
// work per request (ingest, then each poll: wrangler polls at once, and the server paces it, as
// the real one does), so that no request holds the Worker long and memory stays bounded. Its
// atomicity comes from a snapshot taken before the first chunk: on failure the database is
// restored to it. While such an import is pending, any other request on the database first
// finishes it (the real database is unavailable during an import, and the import goes on when
// its client goes away). Between chunks `PRAGMA defer_foreign_keys = on` is repeated when the
// file sets it; a foreign key satisfied only by a later chunk still fails (documented).

const CHUNK_STATEMENTS = 5000;
const jobs = new Map(); // uuid -> pending chunked import (statements kept in this isolate)

async function importState(env, uuid) {
  const row = await env.CONTROL.prepare("SELECT value FROM settings WHERE name = ?").bind(`import:${uuid}`).first();
  return row ? JSON.parse(row.value) : null;
}
async function saveImportState(env, uuid, state) {
  await env.CONTROL.prepare("INSERT OR REPLACE INTO settings(name, value) VALUES (?, ?)").bind(`import:${uuid}`, JSON.stringify(state)).run();
}

export async function importRoute(env, d, body, origin, faults) {
  const action = body?.action;
  if (action === "init") {
    if (typeof body.etag !== "string" || !/^[0-9a-f]{32}$/.test(body.etag)) return malformed("Invalid property: etag must be the hex MD5 of the file");
    const existing = await env.R2.head(`uploads/${body.etag}`);
    if (existing) return ingest(env, d, body.etag, `${body.etag}.sql`, faults); // "File already uploaded. Processing."
    return ok({ success: true, filename: `${body.etag}.sql`, upload_url: `${origin}/__upload/${body.etag}` });
  }
  if (action === "ingest") {
    if (typeof body.etag !== "string") return malformed("Invalid property: etag is required");
    return ingest(env, d, body.etag, body.filename, faults);
  }
  if (action === "poll") {
    return withLock(d.uuid, async () => {
      const state = await importState(env, d.uuid);
      if (!state) return ok({ success: false, error: "Not currently importing anything." });
      if (state.pending) return ok(await runSlice(env, d, state));
      if (state.polls_left > 0) {
        state.polls_left--;
        await saveImportState(env, d.uuid, state);
        return ok({ success: true, type: "import", status: "active", at_bookmark: state.at_bookmark, messages: [`Processed ${state.final.result?.num_queries ?? 0} queries.`] });
      }
      return ok(state.final);
    });
  }
  return malformed("Invalid property: action must be init, ingest or poll");
}

const checked = new Set(); // databases whose persisted import state this isolate has looked at

// Called (under the database's lock) before any other request on the database.
export async function finishPendingImport(env, d) {
  if (!jobs.has(d.uuid)) {
    // Only once per isolate: a chunked import it does not know (the Worker restarted
    // mid-import) cannot go on, and is reverted by runSlice.
    if (checked.has(d.uuid)) return;
    checked.add(d.uuid);
  }
  let state = await importState(env, d.uuid);
  while (state?.pending) {
    await runSlice(env, d, state);
    state = await importState(env, d.uuid);
  }
}

// Runs fn under the database's lock, after any pending import.
const withDb = (env, d, fn) => withLock(d.uuid, async () => {
  await finishPendingImport(env, d);
  return fn();
});

async function ingest(env, d, etag, filename, faults) {
  const obj = await env.R2.get(`uploads/${etag}`);
  if (!obj) return malformed(`no uploaded file for etag ${etag}`);
  const text = await obj.text();
  const statements = splitSql(text);
  return withLock(d.uuid, async () => {
    await finishPendingImport(env, d);
    const at = await newBookmark(env, d, null);
    const messages = ["Starting import...", `Processing ${filename ?? etag + ".sql"}`];
    const polls = faults.config.import_polls ?? 0;
    if (statements.length > (faults.config.import_single_max ?? 100000)) {
      const revertTo = await newBookmark(env, d, await takeSnapshot(env[d.binding]));
      const defer = statements.some((s) => /^PRAGMA\s+defer_foreign_keys\s*=\s*(on|true|1)\b/i.test(s));
      jobs.set(d.uuid, { statements, defer });
      const state = { pending: true, at_bookmark: at, revert_to: revertTo, next: 0, total: statements.length, started: Date.now(),
        meta: null, messages, polls_left: polls, final: null, slice_ms: faults.config.import_slice_ms ?? 4000 };
      await saveImportState(env, d.uuid, state);
      return ok(await runSlice(env, d, state));
    }
    let final;
    if (statements.length === 0) {
      final = { success: false, type: "import", status: "error", at_bookmark: at, error: "No SQL statements detected.", errors: ["No SQL statements detected."], messages };
    } else {
      const started = Date.now();
      const r = await execute(env[d.binding], statements.map((sql) => ({ sql, params: [] })), "NONE");
      if (!r.ok) {
        // The engine ran everything in one transaction, so nothing of the file remains.
        final = importFailed(at, r.error, messages);
      } else {
        final = await importDone(env, d, statements.length, sumMeta(r.results), started, messages);
      }
    }
    await saveImportState(env, d.uuid, { at_bookmark: at, polls_left: polls, final });
    if (polls > 0) return ok({ success: true, type: "import", status: "active", at_bookmark: at, messages: ["Starting import..."] });
    return ok(final);
  });
}

function importFailed(at, error, messages) {
  messages.push("Import failed; the database was reverted to its state before the import.");
  return { success: false, type: "import", status: "error", at_bookmark: at, error, errors: [error], messages };
}

async function importDone(env, d, count, m, started, messages) {
  bump(d.uuid);
  const finalBookmark = await newBookmark(env, d, null);
  messages.push(`Processed ${count} queries.`);
  return {
    success: true, type: "import", status: "complete", at_bookmark: finalBookmark, messages,
    result: { num_queries: count, final_bookmark: finalBookmark, meta: { ...restMeta(m), duration: Date.now() - started || m.duration } },
  };
}

const addMeta = (a, b) => (a ? sumMeta([{ meta: a }, { meta: b }]) : b);

// Runs chunks of a pending import for about SLICE_MS; answers the poll response.
async function runSlice(env, d, state) {
  const job = jobs.get(d.uuid);
  const db = env[d.binding];
  let error = job ? null : "Import was interrupted (the test server's Worker restarted).";
  const t0 = Date.now();
  while (!error && state.next < state.total) {
    const chunk = job.statements.slice(state.next, state.next + CHUNK_STATEMENTS).map((sql) => ({ sql, params: [] }));
    if (job.defer && state.next > 0) chunk.unshift({ sql: "PRAGMA defer_foreign_keys = on", params: [] });
    const r = await execute(db, chunk, "NONE");
    if (!r.ok) { error = r.error; break; }
    bump(d.uuid);
    state.meta = addMeta(state.meta, sumMeta(r.results));
    state.next += Math.min(CHUNK_STATEMENTS, state.total - state.next);
    if (Date.now() - t0 >= state.slice_ms) break;
  }
  if (error) {
    jobs.delete(d.uuid);
    const snap = await env.R2.get(`snapshots/${d.uuid}/${state.revert_to}.json`);
    const r = await execute(db, [...(await wipeStatements(db)), ...restoreStatements(JSON.parse(await snap.text()))], "NONE");
    if (!r.ok) error += ` (and reverting failed: ${r.error})`;
    bump(d.uuid);
    const final = importFailed(state.at_bookmark, error, state.messages);
    await saveImportState(env, d.uuid, { at_bookmark: state.at_bookmark, polls_left: 0, final });
    return final;
  }
  if (state.next < state.total) {
    await saveImportState(env, d.uuid, state);
    return { success: true, type: "import", status: "active", at_bookmark: state.at_bookmark, messages: [`Processed ${state.next} queries.`] };
  }
  jobs.delete(d.uuid);
  const final = await importDone(env, d, state.total, state.meta, state.started, state.messages);
  await saveImportState(env, d.uuid, { at_bookmark: state.at_bookmark, polls_left: state.polls_left, final });
  return state.polls_left > 0 ? { success: true, type: "import", status: "active", at_bookmark: state.at_bookmark, messages: [`Processed ${state.total} queries.`] } : final;
}

// PUT to the upload URL: stores the file, answers ETag = MD5 of what arrived (as R2 does).
export async function upload(env, request, etag) {
  const bytes = await request.arrayBuffer();
  const md5 = [...new Uint8Array(await crypto.subtle.digest("MD5", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  await env.R2.put(`uploads/${md5}`, bytes);
  return new Response(null, { status: 200, headers: { etag: `"${md5}"`, "x-expected-etag": etag } });
}

export async function download(env, key) {
  const obj = await env.R2.get(key);
  if (!obj) return new Response("NoSuchKey", { status: 404 });
  return new Response(obj.body, { headers: { "content-type": "application/sql" } });
}

// ---- export --------------------------------------------------------------------------------

export async function exportRoute(env, d, body, origin) {
  if (body?.output_format !== "polling") return malformed("Invalid property: output_format must be 'polling'");
  const o = body.dump_options ?? {};
  return withDb(env, d, async () => {
    const r = await dump(env[d.binding], { noSchema: !!o.no_schema, noData: !!o.no_data, tables: o.tables ?? [] });
    if (!r.ok) return ok({ success: false, type: "export", status: "error", error: r.error, messages: [] });
    const filename = `${d.name}-${Date.now()}.sql`;
    const key = `exports/${d.uuid}/${crypto.randomUUID()}/${filename}`;
    await env.R2.put(key, r.lines.join("\n"));
    const at = await newBookmark(env, d, null);
    return ok({
      success: true, type: "export", status: "complete", at_bookmark: at,
      messages: ["Generating SQL dump", "Uploaded part 1"],
      result: { filename, signed_url: `${origin}/__download/${key}` },
    });
  });
}

// ---- Time Travel ---------------------------------------------------------------------------

async function newBookmark(env, d, snapshot) {
  const seq = (await env.CONTROL.prepare("SELECT count(*) AS n FROM bookmarks").first()).n + 1;
  const now = Date.now();
  const bookmark = makeBookmark(seq, now);
  if (snapshot) await env.R2.put(`snapshots/${d.uuid}/${bookmark}.json`, JSON.stringify(snapshot));
  await env.CONTROL.prepare("INSERT INTO bookmarks(db, bookmark, created_ms, version) VALUES (?, ?, ?, ?)")
    .bind(d.uuid, bookmark, now, snapshot ? versionOf(d.uuid) : "none").run();
  return bookmark;
}

// The bookmark for the current content: reused while nothing was written, else a new snapshot.
async function currentBookmark(env, d) {
  const row = await env.CONTROL.prepare("SELECT bookmark FROM bookmarks WHERE db = ? AND version = ? ORDER BY bookmark DESC LIMIT 1")
    .bind(d.uuid, versionOf(d.uuid)).first();
  if (row) return row.bookmark;
  return newBookmark(env, d, await takeSnapshot(env[d.binding]));
}

export async function bookmarkRoute(env, d, url) {
  return withDb(env, d, async () => {
    const ts = url.searchParams.get("timestamp");
    if (!ts) return ok({ bookmark: await currentBookmark(env, d) });
    const ms = Date.parse(ts);
    if (Number.isNaN(ms)) return malformed(`Invalid property: timestamp '${ts}'`);
    const row = await env.CONTROL.prepare("SELECT bookmark FROM bookmarks WHERE db = ? AND created_ms <= ? AND version <> 'none' ORDER BY bookmark DESC LIMIT 1")
      .bind(d.uuid, ms).first();
    if (!row) return fail(400, Codes.d1Sql, `No restorable bookmark at or before ${ts} in this test server (bookmarks are snapshots taken by GET time_travel/bookmark)`);
    return ok({ bookmark: row.bookmark });
  });
}

export async function restoreRoute(env, d, url) {
  return withDb(env, d, async () => {
    let target = url.searchParams.get("bookmark");
    const ts = url.searchParams.get("timestamp");
    if (!target && ts) {
      const ms = Date.parse(ts);
      const row = Number.isNaN(ms) ? null : await env.CONTROL.prepare("SELECT bookmark FROM bookmarks WHERE db = ? AND created_ms <= ? AND version <> 'none' ORDER BY bookmark DESC LIMIT 1").bind(d.uuid, ms).first();
      target = row?.bookmark;
      if (!target) return fail(400, Codes.d1Sql, `No restorable bookmark at or before ${ts}`);
    }
    if (!target) return malformed("Invalid property: bookmark or timestamp is required");
    const row = await env.CONTROL.prepare("SELECT bookmark, version FROM bookmarks WHERE db = ? AND bookmark = ?").bind(d.uuid, target).first();
    if (!row) return fail(400, Codes.d1Sql, `Invalid bookmark: ${target}`);
    if (row.version === "none") return fail(400, Codes.d1Sql, `Bookmark ${target} is not restorable in this test server: only bookmarks from time_travel/bookmark and restore's previous_bookmark hold a snapshot`);
    const snap = await env.R2.get(`snapshots/${d.uuid}/${target}.json`);
    if (!snap) return fail(500, Codes.d1Sql, `snapshot for ${target} is missing`);
    const previous = await currentBookmark(env, d);
    const db = env[d.binding];
    const r = await execute(db, [...(await wipeStatements(db)), ...restoreStatements(JSON.parse(await snap.text()))], "NONE");
    if (!r.ok) return fail(500, Codes.d1Sql, `restore failed: ${r.error}`);
    bump(d.uuid);
    // The restored content is exactly the target's snapshot: the target bookmark names it again.
    await env.CONTROL.prepare("UPDATE bookmarks SET version = ? WHERE bookmark = ?").bind(versionOf(d.uuid), target).run();
    return ok({ bookmark: target, previous_bookmark: previous, message: `Database restored to bookmark ${target}` });
  });
}

// Admin: drops every user object and forgets the database's bookmarks.
export async function resetDatabase(env, d) {
  return withLock(d.uuid, async () => {
    const db = env[d.binding];
    jobs.delete(d.uuid); // a pending import is abandoned with the content it was writing
    const r = await execute(db, await wipeStatements(db), "NONE");
    if (!r.ok) return fail(500, Codes.d1Sql, r.error);
    bump(d.uuid);
    await env.CONTROL.prepare("DELETE FROM bookmarks WHERE db = ?").bind(d.uuid).run();
    await env.CONTROL.prepare("DELETE FROM settings WHERE name = ?").bind(`import:${d.uuid}`).run();
    return ok({ reset: d.name });
  });
}
