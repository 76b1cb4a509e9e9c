// The real wrangler CLI (the repository's pinned version), pointed at the server only through
// CLOUDFLARE_API_BASE_URL / CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID, as a user would.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { wrangler, sql, resetDb, kvId, clearFaults, setFaults, tempDir } from "./helpers.mjs";

const DB = "wrtest";
before(async () => {
  await clearFaults();
  await resetDb(DB);
});

const ok = (r) => assert.equal(r.code, 0, `wrangler failed:\n${r.stdout}\n${r.stderr}`);
const jsonOut = (r) => JSON.parse(r.stdout.slice(r.stdout.indexOf("[")));

test("wrangler d1 execute --remote --command: name lookup, several statements, results", async () => {
  const r = await wrangler(["d1", "execute", DB, "--remote", "--json", "--command",
    "CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO w VALUES (1, 'one'), (2, 'two;2'); SELECT * FROM w ORDER BY id"]);
  ok(r);
  const out = jsonOut(r);
  assert.equal(out.length, 3);
  assert.deepEqual(out[2].results, [{ id: 1, v: "one" }, { id: 2, v: "two;2" }]);
  const bad = await wrangler(["d1", "execute", DB, "--remote", "--command", "SELECT * FROM nope"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /no such table: nope/);
  const unknown = await wrangler(["d1", "execute", "no-such-db", "--remote", "--command", "SELECT 1"]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stdout + unknown.stderr, /Couldn't find DB with name 'no-such-db'/);
});

test("wrangler d1 execute --remote --file uses the import API; a failing file reverts; a known file is not uploaded again", async () => {
  const dir = tempDir("file-");
  const file = path.join(dir, "load.sql");
  const rows = Array.from({ length: 500 }, (_, i) => `INSERT INTO loaded VALUES (${i}, 'row ${i}; it''s');`).join("\n");
  fs.writeFileSync(file, `-- ${Date.now()}\nCREATE TABLE loaded (id INTEGER PRIMARY KEY, v TEXT);\n${rows}\n` +
    "CREATE TRIGGER tr AFTER DELETE ON loaded BEGIN INSERT INTO w VALUES (100 + OLD.id, 'gone;'); END;\n");
  const r = await wrangler(["d1", "execute", DB, "--remote", "--file", file, "-y"], { cwd: dir });
  ok(r);
  assert.match(r.stdout, /Uploading complete/);
  assert.match(r.stdout, /Executed 502 queries/);
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n, max(v) AS m FROM loaded"), [{ n: 500, m: "row 9; it's" }]);

  await sql(DB, "DROP TRIGGER tr");
  await sql(DB, "DROP TABLE loaded");
  const again = await wrangler(["d1", "execute", DB, "--remote", "--file", file, "-y"], { cwd: dir });
  ok(again);
  assert.match(again.stdout, /File already uploaded\. Processing\./);
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM loaded"), [{ n: 500 }]);

  const failing = path.join(dir, "fail.sql");
  fs.writeFileSync(failing, `-- ${Date.now()}\nINSERT INTO w VALUES (50, 'new');\nINSERT INTO loaded VALUES (0, 'duplicate');\n`);
  const f = await wrangler(["d1", "execute", DB, "--remote", "--file", failing, "-y"], { cwd: dir });
  assert.notEqual(f.code, 0);
  assert.match(f.stdout + f.stderr, /UNIQUE constraint failed: loaded\.id/);
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM w WHERE id = 50"), [{ n: 0 }], "the import reverted");
});

test("wrangler d1 execute --remote --file follows a chunked import through its polls", async () => {
  const dir = tempDir("chunked-");
  const file = path.join(dir, "chunked.sql");
  const rows = Array.from({ length: 12000 }, (_, i) => `INSERT INTO polled VALUES (${i});`).join("\n");
  fs.writeFileSync(file, `-- ${Date.now()}\nCREATE TABLE polled (id INTEGER PRIMARY KEY);\n${rows}\n`);
  await setFaults({ rules: [], import_single_max: 100, import_slice_ms: 0 });
  try {
    const r = await wrangler(["d1", "execute", DB, "--remote", "--file", file, "-y"], { cwd: dir });
    ok(r);
    assert.match(r.stdout, /Processed 5000 queries\.[\s\S]*Processed 10000 queries\.[\s\S]*Executed 12001 queries/);
  } finally {
    await clearFaults();
  }
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM polled"), [{ n: 12000 }]);
  await sql(DB, "DROP TABLE polled");
});

test("wrangler d1 export --remote downloads the dump from the signed URL", async () => {
  const dir = tempDir("export-");
  const out = path.join(dir, "dump.sql");
  const r = await wrangler(["d1", "export", DB, "--remote", "--output", out], { cwd: dir });
  ok(r);
  const dump = fs.readFileSync(out, "utf8");
  assert.match(dump, /CREATE TABLE w \(id INTEGER PRIMARY KEY, v TEXT\);/);
  assert.match(dump, /INSERT INTO "w" VALUES\(2,'two;2'\);/);
  assert.equal(dump.match(/INSERT INTO "loaded"/g).length, 500);
  const only = path.join(dir, "w.sql");
  ok(await wrangler(["d1", "export", DB, "--remote", "--output", only, "--table", "w", "--no-schema"], { cwd: dir }));
  const w = fs.readFileSync(only, "utf8");
  assert.doesNotMatch(w, /CREATE TABLE|loaded/);
  assert.match(w, /INSERT INTO "w"/);
});

test("wrangler d1 time-travel info and restore (and undo with the previous bookmark)", async () => {
  const info = await wrangler(["d1", "time-travel", "info", DB, "--json"]);
  ok(info);
  const { bookmark } = JSON.parse(info.stdout.slice(info.stdout.indexOf("{")));
  assert.match(bookmark, /^[0-9a-f]{8}-/);
  await sql(DB, "DELETE FROM w");
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM w"), [{ n: 0 }]);
  const restore = await wrangler(["d1", "time-travel", "restore", DB, "--bookmark", bookmark, "--json"]);
  ok(restore);
  const res = JSON.parse(restore.stdout.slice(restore.stdout.indexOf("{")));
  assert.equal(res.bookmark, bookmark);
  assert.deepEqual(await sql(DB, "SELECT id, v FROM w ORDER BY id"), [{ id: 1, v: "one" }, { id: 2, v: "two;2" }]);
  ok(await wrangler(["d1", "time-travel", "restore", DB, "--bookmark", res.previous_bookmark, "--json"]));
  assert.deepEqual(await sql(DB, "SELECT count(*) AS n FROM w"), [{ n: 0 }]);
});

test("wrangler kv key put/list/get and kv bulk get --remote", async () => {
  const id = await kvId("kvwr");
  ok(await wrangler(["kv", "key", "put", "--namespace-id", id, "watchlist:42", '["AAPL","MSFT"]', "--remote", "--metadata", '{"v":1}']));
  ok(await wrangler(["kv", "key", "put", "--namespace-id", id, "cache:fg", "55", "--remote", "--ttl", "3600"]));
  const list = await wrangler(["kv", "key", "list", "--namespace-id", id, "--remote"]);
  ok(list);
  const keys = JSON.parse(list.stdout.slice(list.stdout.indexOf("[")));
  assert.deepEqual(keys.map((k) => k.name), ["cache:fg", "watchlist:42"]);
  assert.deepEqual(keys[1].metadata, { v: 1 });
  assert.ok(keys[0].expiration > Date.now() / 1000);
  const prefixed = await wrangler(["kv", "key", "list", "--namespace-id", id, "--remote", "--prefix", "watch"]);
  assert.deepEqual(JSON.parse(prefixed.stdout.slice(prefixed.stdout.indexOf("["))).map((k) => k.name), ["watchlist:42"]);
  const get = await wrangler(["kv", "key", "get", "--namespace-id", id, "watchlist:42", "--remote", "--text"]);
  ok(get);
  assert.equal(get.stdout.trim(), '["AAPL","MSFT"]');
  const dir = tempDir("kv-");
  fs.writeFileSync(path.join(dir, "keys.json"), JSON.stringify(["watchlist:42", "missing"]));
  const bulk = await wrangler(["kv", "bulk", "get", "keys.json", "--namespace-id", id, "--remote"], { cwd: dir });
  ok(bulk);
  assert.deepEqual(JSON.parse(bulk.stdout.slice(bulk.stdout.indexOf("{"), bulk.stdout.lastIndexOf("}") + 1)), { "watchlist:42": '["AAPL","MSFT"]', missing: null });
});

test("a bad token is refused to wrangler with Cloudflare's authentication error", async () => {
  const r = await wrangler(["d1", "execute", DB, "--remote", "--command", "SELECT 1"], { token: "wrong-token" });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /Authentication error \[code: 10000\]/);
});
