// The D1 routes, spoken to directly over HTTP: envelope, auth, codes, REST binding semantics,
// atomicity, D1's real limits, import, export and Time Travel.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { api, acct, dbPath, query, raw, sql, resetDb, server, clearFaults, setFaults } from "./helpers.mjs";

const DB = "d1test";
before(async () => {
  await clearFaults();
  await resetDb(DB);
});

test("envelope and auth: missing header 400/9106, bad token 403/10000, foreign account 403/7403", async () => {
  const p = await dbPath(DB, "query");
  const missing = await api("POST", p, { body: { sql: "SELECT 1" }, token: null });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.errors[0].code, 9106);
  const bad = await api("POST", p, { body: { sql: "SELECT 1" }, token: "not-the-token" });
  assert.equal(bad.status, 403);
  assert.deepEqual(bad.json, { result: null, success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [] });
  const foreign = await api("POST", `/accounts/0123456789abcdef0123456789abcdef/d1/database/${DB}/query`, { body: { sql: "SELECT 1" } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.errors[0].code, 7403);
  const good = await api("POST", p, { body: { sql: "SELECT 1 AS one" } });
  assert.equal(good.status, 200);
  assert.deepEqual(Object.keys(good.json).sort(), ["errors", "messages", "result", "success"]);
  assert.deepEqual(good.json.result[0].results, [{ one: 1 }]);
});

test("databases: list, lookup by name, GET by uuid or name, unknown is 404/7404", async () => {
  const s = await server();
  const list = await api("GET", `${await acct()}/d1/database?per_page=10&page=1`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.result.map((d) => d.name).sort(), s.databases.map((d) => d.name).sort());
  assert.equal(list.json.result_info.total_count, s.databases.length);
  const byName = await api("GET", `${await acct()}/d1/database?name=${DB}`);
  assert.equal(byName.json.result.length, 1);
  const uuid = byName.json.result[0].uuid;
  assert.equal(uuid, s.databases.find((d) => d.name === DB).uuid);
  const get = await api("GET", await dbPath(uuid));
  assert.equal(get.json.result.name, DB);
  assert.equal(get.json.result.version, "production");
  const getByName = await api("GET", await dbPath(DB));
  assert.equal(getByName.json.result.uuid, uuid);
  const missing = await api("POST", await dbPath("00000000-0000-0000-0000-000000000000", "query"), { body: { sql: "SELECT 1" } });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.errors[0].code, 7404);
  assert.match(missing.json.errors[0].message, /could not be found/);
});

test("params bind with REST semantics: booleans as TEXT 'true'/'false', byte arrays as BLOB, null", async () => {
  const rows = await sql(DB, "SELECT ? AS t, typeof(?) AS tt, ? AS f, ? AS n, typeof(?) AS nt, typeof(?) AS bt, hex(?) AS bh, ? AS s",
    [true, true, false, null, null, [0, 127, 255], [0, 127, 255], "x"]);
  assert.deepEqual(rows, [{ t: "true", tt: "text", f: "false", n: null, nt: "null", bt: "blob", bh: "007FFF", s: "x" }]);
  const bad = await query(DB, { sql: "SELECT ?", params: [{ a: 1 }] });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].code, 7400);
});

test("bodies: bare array refused; params with several statements refused 400/7400; several statements without params run", async () => {
  const arr = await api("POST", await dbPath(DB, "query"), { body: [{ sql: "SELECT 1" }] });
  assert.equal(arr.status, 400);
  assert.equal(arr.json.errors[0].code, 7400);
  assert.match(arr.json.errors[0].message, /Expected object, received array/);
  const mixed = await query(DB, { sql: "SELECT ?; SELECT 2", params: [1] });
  assert.equal(mixed.status, 400);
  assert.deepEqual(mixed.json.errors[0], { code: 7400, message: "The request is malformed: params with multiple statements is not supported" });
  const multi = await query(DB, { sql: "SELECT 1 AS a; -- note\r\nSELECT 'x;y' AS b;" });
  assert.equal(multi.status, 200);
  assert.deepEqual(multi.json.result.map((r) => r.results), [[{ a: 1 }], [{ b: "x;y" }]]);
  for (const k of ["changed_db", "changes", "duration", "last_row_id", "rows_read", "rows_written", "size_after", "served_by_primary", "timings"]) {
    assert.ok(k in multi.json.result[0].meta, `meta.${k}`);
  }
});

test("a request is one transaction: a failing statement in a batch rolls back the earlier ones (400/7500, result [])", async () => {
  await sql(DB, "CREATE TABLE atom (id INTEGER PRIMARY KEY, v TEXT)");
  const r = await query(DB, { batch: [
    { sql: "INSERT INTO atom VALUES (?, ?)", params: [1, "a"] },
    { sql: "INSERT INTO atom VALUES (?, ?)", params: [2, "b"] },
    { sql: "INSERT INTO atom VALUES (?, ?)", params: [1, "dup"] },
  ] });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 7500);
  assert.match(r.json.errors[0].message, /UNIQUE constraint failed: atom.id/);
  assert.deepEqual(r.json.result, []);
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM atom"), [{ n: 0 }]);
  const okBatch = await query(DB, { batch: [
    { sql: "INSERT INTO atom VALUES (?, ?)", params: [1, "a"] },
    { sql: "SELECT v FROM atom WHERE id = ?", params: [1] },
  ] });
  assert.equal(okBatch.status, 200);
  assert.equal(okBatch.json.result.length, 2);
  assert.equal(okBatch.json.result[0].meta.changes, 1);
  assert.deepEqual(okBatch.json.result[1].results, [{ v: "a" }]);
});

test("/raw answers columns and rows, keeping duplicate column names and the columns of an empty result", async () => {
  await sql(DB, "CREATE TABLE IF NOT EXISTS rawt (a INTEGER, b TEXT)");
  const r = await raw(DB, { sql: "SELECT 1 AS x, 2 AS x, 'z' AS y" });
  assert.deepEqual(r.json.result[0].results, { columns: ["x", "x", "y"], rows: [[1, 2, "z"]] });
  const empty = await raw(DB, { sql: "SELECT a, b FROM rawt WHERE 0" });
  assert.deepEqual(empty.json.result[0].results, { columns: ["a", "b"], rows: [] });
});

test("D1's real limits: 100,000-byte statements, 100 bound parameters, 5 compound SELECT terms, no BEGIN", async () => {
  const long = await query(DB, { sql: `SELECT '${"x".repeat(100001)}'` });
  assert.equal(long.status, 400);
  assert.match(long.json.errors[0].message, /too long|TOOBIG/i);
  const params = await query(DB, { sql: `SELECT ${Array(101).fill("?").join(",")}`, params: Array(101).fill(1) });
  assert.equal(params.status, 400);
  assert.match(params.json.errors[0].message, /too many SQL variables/);
  const hundred = await query(DB, { sql: `SELECT ${Array(100).fill("?").join(",")}`, params: Array(100).fill(1) });
  assert.equal(hundred.status, 200);
  const compound = await query(DB, { sql: "SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6" });
  assert.equal(compound.status, 400);
  assert.match(compound.json.errors[0].message, /too many terms in compound SELECT/);
  const begin = await query(DB, { sql: "BEGIN TRANSACTION; SELECT 1; COMMIT;" });
  assert.equal(begin.status, 400);
  assert.match(begin.json.errors[0].message, /state\.storage\.transaction/);
});

const md5 = (s) => createHash("md5").update(s).digest("hex");

async function importFile(db, text) {
  const etag = md5(text);
  const p = await dbPath(db, "import");
  const init = await api("POST", p, { body: { action: "init", etag } });
  assert.equal(init.status, 200);
  if (!init.json.result.upload_url) return { init, ingest: init, etag };
  const put = await fetch(init.json.result.upload_url, { method: "PUT", body: text });
  assert.equal(put.status, 200);
  assert.equal(put.headers.get("etag").replace(/"/g, ""), etag);
  const ingest = await api("POST", p, { body: { action: "ingest", filename: init.json.result.filename, etag } });
  return { init, ingest, etag };
}

test("import: init -> upload (ETag = MD5) -> ingest completes; a known etag skips the upload", async () => {
  await resetDb(DB);
  const text = `-- run ${Date.now()}\nCREATE TABLE imp (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO imp VALUES (1, 'a;b');\nINSERT INTO imp VALUES (2, 'c');\n`;
  const { init, ingest } = await importFile(DB, text);
  assert.match(init.json.result.upload_url, /^http:\/\/127\.0\.0\.1:\d+\//);
  const r = ingest.json.result;
  assert.equal(r.success, true);
  assert.equal(r.status, "complete");
  assert.equal(r.result.num_queries, 3);
  assert.ok(r.result.final_bookmark);
  assert.ok(r.result.meta.rows_written >= 2);
  assert.deepEqual(await sql(DB, "SELECT v FROM imp ORDER BY id"), [{ v: "a;b" }, { v: "c" }]);
  await sql(DB, "DROP TABLE imp");
  const again = await importFile(DB, text);
  assert.equal(again.init.json.result.upload_url, undefined);
  assert.equal(again.init.json.result.status, "complete");
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM imp"), [{ n: 2 }]);
});

test("import: a failing statement reverts the whole file; poll reports status error", async () => {
  await resetDb(DB);
  await sql(DB, "CREATE TABLE keep (id INTEGER PRIMARY KEY)");
  await sql(DB, "INSERT INTO keep VALUES (1)");
  const text = "INSERT INTO keep VALUES (2);\nCREATE TABLE other (x);\nINSERT INTO keep VALUES (1);\n";
  const { ingest } = await importFile(DB, text);
  assert.equal(ingest.status, 200);
  assert.equal(ingest.json.result.success, false);
  assert.equal(ingest.json.result.status, "error");
  assert.match(ingest.json.result.error, /UNIQUE constraint failed/);
  assert.deepEqual(await sql(DB, "SELECT id FROM keep"), [{ id: 1 }]);
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM sqlite_master WHERE name = 'other'"), [{ n: 0 }]);
});

test("import: with import_polls the ingest answers 'active' and polls finish it; nothing pending says so", async () => {
  await resetDb(DB);
  await setFaults({ rules: [], import_polls: 2 });
  try {
    const { ingest } = await importFile(DB, "CREATE TABLE polled (x);\nINSERT INTO polled VALUES (1);\n");
    assert.equal(ingest.json.result.status, "active");
    const p = await dbPath(DB, "import");
    const seen = [];
    let r = ingest.json.result;
    for (let i = 0; i < 5 && r.status !== "complete"; i++) {
      r = (await api("POST", p, { body: { action: "poll", current_bookmark: r.at_bookmark } })).json.result;
      seen.push(r.status);
    }
    assert.deepEqual(seen, ["active", "active", "complete"]);
  } finally {
    await clearFaults();
  }
  await resetDb(DB);
  const idle = await api("POST", await dbPath(DB, "import"), { body: { action: "poll", current_bookmark: "x" } });
  assert.deepEqual(idle.json.result, { success: false, error: "Not currently importing anything." });
});

test("import of a file larger than import_single_max: chunks across polls, then complete", async () => {
  await resetDb(DB);
  await setFaults({ rules: [], import_single_max: 10, import_slice_ms: 0 });
  try {
    const rows = Array.from({ length: 12000 }, (_, i) => `INSERT INTO chunked VALUES (${i}, 'r${i}');`).join("\n");
    const { ingest } = await importFile(DB, `-- ${Date.now()}\nPRAGMA defer_foreign_keys = on;\nCREATE TABLE chunked (id INTEGER PRIMARY KEY, v TEXT);\n${rows}\n`);
    let r = ingest.json.result;
    assert.equal(r.status, "active");
    const progress = [r.messages.at(-1)];
    const p = await dbPath(DB, "import");
    while (r.status === "active") {
      r = (await api("POST", p, { body: { action: "poll", current_bookmark: r.at_bookmark } })).json.result;
      progress.push(r.messages.at(-1));
    }
    assert.equal(r.status, "complete", JSON.stringify(r));
    assert.equal(r.result.num_queries, 12002);
    assert.deepEqual(progress, ["Processed 5000 queries.", "Processed 10000 queries.", "Processed 12002 queries."]);
    assert.deepEqual(await sql(DB, "SELECT count(*) AS n, max(id) AS m FROM chunked"), [{ n: 12000, m: 11999 }]);
  } finally {
    await clearFaults();
  }
});

test("chunked import: a failure in a late chunk restores the database as it was; a pending import finishes before other requests", async () => {
  await resetDb(DB);
  await sql(DB, "CREATE TABLE pre (id INTEGER PRIMARY KEY, v TEXT)");
  await sql(DB, "INSERT INTO pre VALUES (1, 'kept'), (2, 'also kept')");
  await setFaults({ rules: [], import_single_max: 10, import_slice_ms: 0 });
  try {
    const rows = Array.from({ length: 11000 }, (_, i) => `INSERT INTO pre VALUES (${i + 10}, 'new');`).join("\n");
    const bad = await importFile(DB, `-- ${Date.now()}\nDELETE FROM pre WHERE id = 1;\n${rows}\nINSERT INTO pre VALUES (2, 'duplicate');\n`);
    let r = bad.ingest.json.result;
    assert.equal(r.status, "active", "the first chunk committed, the import goes on");
    // Any other request on the database waits for the import to end (here: in failure).
    assert.deepEqual(await sql(DB, "SELECT id, v FROM pre ORDER BY id"), [{ id: 1, v: "kept" }, { id: 2, v: "also kept" }]);
    r = (await api("POST", await dbPath(DB, "import"), { body: { action: "poll", current_bookmark: r.at_bookmark } })).json.result;
    assert.equal(r.status, "error");
    assert.match(r.error, /UNIQUE constraint failed: pre\.id/);
  } finally {
    await clearFaults();
  }
});

test("export: polling format completes with a signed URL this server serves", async () => {
  await resetDb(DB);
  await sql(DB, "CREATE TABLE ex (id INTEGER PRIMARY KEY, v TEXT)");
  await sql(DB, "INSERT INTO ex VALUES (1, 'it''s')");
  const r = await api("POST", await dbPath(DB, "export"), { body: { output_format: "polling", dump_options: { no_schema: false, no_data: false } } });
  assert.equal(r.json.result.status, "complete");
  const body = await (await fetch(r.json.result.result.signed_url)).text();
  assert.match(body, /CREATE TABLE ex/);
  assert.match(body, /INSERT INTO "ex" VALUES\(1,'it''s'\);/);
  const bad = await api("POST", await dbPath(DB, "export"), { body: { output_format: "file" } });
  assert.equal(bad.status, 400);
});

test("Time Travel: restore brings back exact content (64-bit ints, REAL, NUL, BLOB, 1.5 MB text, sequence, schema); previous_bookmark undoes it", async () => {
  await resetDb(DB);
  const big = "é".repeat(750000); // 1.5 MB of UTF-8, legal in D1 as a bound value
  const setup = await query(DB, { batch: [
    { sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE)" },
    { sql: "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), i INTEGER, r REAL, t TEXT, b BLOB, any_col)" },
    { sql: "CREATE INDEX child_parent ON child(parent_id)" },
    { sql: "CREATE VIEW v_child AS SELECT id, i FROM child" },
    { sql: "CREATE TRIGGER child_ins AFTER INSERT ON child BEGIN UPDATE parent SET name = name WHERE id = NEW.parent_id; END" },
    { sql: "INSERT INTO parent(name) VALUES ('p1'), ('p2')" },
    { sql: "DELETE FROM parent WHERE name = 'p2'" },
    { sql: "INSERT INTO child VALUES (1, 1, CAST(? AS INTEGER), ?, ?, ?, ?)", params: ["9223372036854775807", 0.1, "a\u0000b\r\n😀", [0, 1, 254, 255], 1.5] },
    { sql: "INSERT INTO child VALUES (2, 1, CAST(? AS INTEGER), ?, ?, NULL, ?)", params: ["-9223372036854775808", 1e300, big, "text"] },
    { sql: "INSERT INTO child VALUES (3, 1, 3, ?, 'x', NULL, 2.0)", params: [-2.2250738585072014e-308] },
    { sql: "INSERT INTO child VALUES (4, 1, 4, 9e999, 'y', NULL, -9e999)" },
  ] });
  assert.equal(setup.status, 200, setup.text);
  const fingerprint = async () => sql(DB,
    "SELECT (SELECT group_concat(type || ':' || name, ',') FROM (SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY name)) AS schema, " +
    "(SELECT group_concat(id || '|' || CAST(i AS TEXT) || '|' || typeof(r) || printf('%!.17g', r) || '|' || typeof(t) || length(CAST(t AS BLOB)) || '|' || ifnull(hex(b), 'null') || '|' || typeof(any_col) || quote(any_col), ';') FROM (SELECT * FROM child ORDER BY id)) AS data, " +
    "(SELECT group_concat(name || '=' || seq) FROM sqlite_sequence) AS seq");
  const texts = async () => (await sql(DB, "SELECT t FROM child ORDER BY id")).map((r) => r.t);
  const before = await fingerprint();
  assert.deepEqual(await texts(), ["a\u0000b\r\n😀", big, "x", "y"]);
  assert.match(before[0].data, /9223372036854775807/);
  const p = await dbPath(DB, "time_travel/bookmark");
  const b1 = (await api("GET", p)).json.result.bookmark;
  assert.match(b1, /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
  assert.equal((await api("GET", p)).json.result.bookmark, b1, "no write, same bookmark");
  await query(DB, { batch: [{ sql: "DELETE FROM child" }, { sql: "DROP VIEW v_child" }, { sql: "INSERT INTO parent(name) VALUES ('p3')" }] });
  const changed = await fingerprint();
  assert.notDeepEqual(changed, before);
  const b2 = (await api("GET", p)).json.result.bookmark;
  assert.ok(b2 > b1, "bookmarks sort in time order");
  const restore = await api("POST", `${await dbPath(DB, "time_travel/restore")}?bookmark=${b1}`);
  assert.equal(restore.status, 200);
  assert.equal(restore.json.result.bookmark, b1);
  assert.equal(restore.json.result.previous_bookmark, b2);
  assert.deepEqual(await fingerprint(), before);
  assert.deepEqual(await texts(), ["a\u0000b\r\n😀", big, "x", "y"]);
  const ins = await sql(DB, "INSERT INTO parent(name) VALUES ('p4') RETURNING id");
  assert.deepEqual(ins, [{ id: 3 }], "AUTOINCREMENT sequence restored");
  const undo = await api("POST", `${await dbPath(DB, "time_travel/restore")}?bookmark=${restore.json.result.previous_bookmark}`);
  assert.equal(undo.status, 200);
  assert.deepEqual(await fingerprint(), changed);
  const bogus = await api("POST", `${await dbPath(DB, "time_travel/restore")}?bookmark=00000000-00000000-00000000-00000000000000000000000000000000`);
  assert.equal(bogus.status, 400);
});
