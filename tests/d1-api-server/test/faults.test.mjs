// Fault injection: each kind does what a client must cope with, and fires by count or by rate.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { api, admin, dbPath, kvId, query, sql, resetDb, setFaults, clearFaults, server } from "./helpers.mjs";

const DB = "d1test2";
before(async () => {
  await clearFaults();
  await resetDb(DB);
  await sql(DB, "CREATE TABLE f (id INTEGER PRIMARY KEY, v TEXT)");
});
after(clearFaults);

const insert = (id) => query(DB, { sql: "INSERT INTO f VALUES (?, ?)", params: [id, `v${id}`] });
const has = async (id) => (await sql(DB, "SELECT count(*) AS n FROM f WHERE id = ?", [id]))[0].n === 1;

test("rate_limit: 429, code 971, retry-after; the request is not executed", async () => {
  await setFaults({ rules: [{ kind: "rate_limit", route: "query", count: 1, retry_after: 7 }] });
  const r = await insert(1);
  assert.equal(r.status, 429);
  assert.equal(r.headers.get("retry-after"), "7");
  assert.equal(r.json.errors[0].code, 971);
  assert.equal(await has(1), false);
  assert.equal((await insert(1)).status, 200, "count 1: the next request passes");
});

test("internal_error: 500/7500 before executing", async () => {
  await setFaults({ rules: [{ kind: "internal_error", route: "query", count: 1 }] });
  const r = await insert(2);
  assert.equal(r.status, 500);
  assert.equal(r.json.errors[0].code, 7500);
  assert.match(r.json.errors[0].message, /^internal error; reference = /);
  assert.equal(await has(2), false);
});

test("reset_after_commit: the connection is reset, yet the write committed", async () => {
  await setFaults({ rules: [{ kind: "reset_after_commit", route: "query", count: 1 }] });
  await assert.rejects(insert(3), (e) => e.cause?.code === "ECONNRESET" || /socket|terminated|reset/i.test(String(e.cause?.message ?? e.message)));
  assert.equal(await has(3), true);
});

test("reset_after_commit mode 500 and 503: a 5xx answer after the commit", async () => {
  await setFaults({ rules: [{ kind: "reset_after_commit", route: "query", count: 1, mode: "500" }, { kind: "reset_after_commit", route: "query", count: 1, mode: "503" }] });
  const a = await insert(4);
  assert.equal(a.status, 500);
  assert.equal(a.json.errors[0].message, "Network connection lost.");
  const b = await insert(5);
  assert.equal(b.status, 503);
  assert.equal(await has(4), true);
  assert.equal(await has(5), true);
});

test("slow: the answer comes after delay_ms, the work already committed (phase after)", async () => {
  await setFaults({ rules: [{ kind: "slow", route: "query", count: 1, delay_ms: 1500 }] });
  const t0 = Date.now();
  const r = await insert(6);
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 1400, `took ${Date.now() - t0} ms`);
  const aborted = new AbortController();
  await setFaults({ rules: [{ kind: "slow", route: "query", count: 1, delay_ms: 3000 }] });
  const p = fetch(`${(await server()).api_base_url}${await dbPath(DB, "query")}`, {
    method: "POST", signal: aborted.signal,
    headers: { authorization: `Bearer ${(await server()).token}`, "content-type": "application/json" },
    body: JSON.stringify({ sql: "INSERT INTO f VALUES (7, 'v7')" }),
  });
  setTimeout(() => aborted.abort(), 500); // a client timeout: it cannot know the insert committed
  await assert.rejects(p);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(await has(7), true);
});

test("bad_token: 403/10000 even with the right token", async () => {
  await setFaults({ rules: [{ kind: "bad_token", count: 1 }] });
  const r = await insert(8);
  assert.equal(r.status, 403);
  assert.equal(r.json.errors[0].code, 10000);
  assert.equal(await has(8), false);
});

test("count with skip, per database, per route (kv), and the fired log", async () => {
  await setFaults({ rules: [{ kind: "internal_error", route: "query", db: DB, skip: 2, count: 2 }, { kind: "rate_limit", route: "kv", count: 1 }] });
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await query(DB, { sql: "SELECT 1" })).status);
  assert.deepEqual(statuses, [200, 200, 500, 500, 200, 200]);
  assert.equal((await query("d1test", { sql: "SELECT 1" })).status, 200, "another database is not matched");
  const kvr = await api("GET", `/accounts/${(await server()).account_id}/storage/kv/namespaces/${await kvId("kvtest")}/keys`);
  assert.equal(kvr.status, 429);
  const log = (await admin("GET", "faults")).json.fired_log;
  assert.deepEqual(log.map((l) => l.kind), ["internal_error", "internal_error", "rate_limit"]);
});

test("rate: a seeded 30% of requests fail, the same ones for the same seed", async () => {
  const run = async () => {
    await setFaults({ seed: 42, rules: [{ kind: "internal_error", route: "raw", rate: 0.3 }] });
    const out = [];
    for (let i = 0; i < 60; i++) out.push((await api("POST", await dbPath(DB, "raw"), { body: { sql: "SELECT 1" } })).status);
    return out;
  };
  const a = await run();
  const failed = a.filter((s) => s === 500).length;
  assert.ok(failed >= 8 && failed <= 30, `${failed} of 60 failed`);
  assert.deepEqual(await run(), a);
});

test("api_rate_limit: a sliding window of N requests; the next gets 429/971 with the seconds to wait", async () => {
  await setFaults({ rules: [], api_rate_limit: 5, api_rate_window_s: 3 });
  const statuses = [];
  let refused;
  for (let i = 0; i < 7; i++) {
    const r = await query(DB, { sql: "SELECT 1" });
    statuses.push(r.status);
    if (r.status === 429) refused = r;
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  assert.equal(refused.json.errors[0].code, 971);
  const wait = Number(refused.headers.get("retry-after"));
  assert.ok(wait >= 1 && wait <= 3, `retry-after ${wait}`);
  await new Promise((r) => setTimeout(r, wait * 1000 + 200));
  assert.equal((await query(DB, { sql: "SELECT 1" })).status, 200, "honouring retry-after is enough");
  await clearFaults();
});

test("fault settings are validated", async () => {
  const bad = await admin("PUT", "faults", { rules: [{ kind: "explode", count: 1 }] });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /kind/);
  const typo = await admin("PUT", "faults", { rulez: [] });
  assert.equal(typo.status, 400);
  assert.match(typo.json.error, /unknown setting 'rulez'/);
});

// A test's child pwsh killed with SIGKILL mid-request resets its connection while the proxy
// still reads the body or writes the answer; that concerns that client only, and the server
// must go on answering everyone else (it once died of the unhandled ECONNRESET).
test("a client that resets its connection mid-request does not take the server down", async () => {
  const net = await import("node:net");
  const { base_url: base } = await server();
  const { port } = new URL(base);
  const resetAfter = (bytes) =>
    new Promise((resolve) => {
      const s = net.connect(Number(port), "127.0.0.1", () => {
        s.write(bytes, () => setTimeout(() => { s.resetAndDestroy(); resolve(); }, 200));
      });
      s.on("error", resolve);
    });
  const p = await dbPath(DB, "query");
  // half a body, then a reset
  await resetAfter(`POST /client/v4${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"sql":"`);
  // a whole request whose answer nobody reads
  await resetAfter(`GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n`);
  const r = await insert(40);
  assert.equal(r.status, 200, "the next client is served");
  assert.equal(await has(40), true);
});
