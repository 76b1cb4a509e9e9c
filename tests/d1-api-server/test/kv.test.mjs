// The Workers KV routes over a real local KV binding.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { api, kvId, server, clearFaults } from "./helpers.mjs";

let base;
before(async () => {
  await clearFaults();
  const s = await server();
  base = `/accounts/${s.account_id}/storage/kv/namespaces`;
});
const ns = async () => `${base}/${await kvId("kvtest")}`;

test("namespaces: list and get; an unknown namespace is 404/10013", async () => {
  const s = await server();
  const list = await api("GET", `${base}?per_page=100&order=title&direction=asc`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.result.map((n) => n.title), s.kv_namespaces.map((n) => n.title).sort());
  const one = await api("GET", await ns());
  assert.equal(one.json.result.title, "kvtest");
  const missing = await api("GET", `${base}/ffffffffffffffffffffffffffffffff/keys`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json.errors[0].code, 10013);
});

test("values: put raw and multipart with metadata and expiration; get bytes with the expiration header; missing is 404/10009", async () => {
  const p = await ns();
  const bytes = new Uint8Array([0, 1, 2, 255]);
  assert.equal((await api("PUT", `${p}/values/${encodeURIComponent("bin/é 1")}`, { body: bytes })).status, 200);
  const got = await api("GET", `${p}/values/${encodeURIComponent("bin/é 1")}`, { raw: true });
  assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const form = new FormData();
  form.set("value", JSON.stringify({ chat_id: "-1001234567890" }));
  form.set("metadata", JSON.stringify({ source: "bot" }));
  assert.equal((await api("PUT", `${p}/values/meta:1?expiration=${exp}`, { body: form })).status, 200);
  const g = await api("GET", `${p}/values/meta:1`, { raw: true });
  assert.equal(g.headers.get("expiration"), String(exp));
  assert.equal(await g.text(), '{"chat_id":"-1001234567890"}');
  const m = await api("GET", `${p}/metadata/meta:1`);
  assert.deepEqual(m.json.result, { source: "bot" });
  const missing = await api("GET", `${p}/values/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json.errors, [{ code: 10009, message: "get: 'key not found'" }]);
  const shortTtl = await api("PUT", `${p}/values/ttl?expiration_ttl=5`, { body: "x" });
  assert.equal(shortTtl.status, 400, "KV's real minimum TTL of 60 s applies");
});

test("keys: prefix, cursor paging with limit, metadata and expiration in the listing; limit must be 10..1000", async () => {
  const p = await ns();
  const puts = [];
  for (let i = 0; i < 25; i++) puts.push({ key: `page:${String(i).padStart(2, "0")}`, value: `v${i}`, metadata: { i }, ...(i === 3 ? { expiration_ttl: 3600 } : {}) });
  const bulk = await api("PUT", `${p}/bulk`, { body: puts });
  assert.deepEqual(bulk.json.result, { successful_key_count: 25, unsuccessful_keys: [] });
  const names = [];
  let cursor = "";
  let pages = 0;
  do {
    const r = await api("GET", `${p}/keys?prefix=page:&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    assert.equal(r.status, 200);
    names.push(...r.json.result.map((k) => k.name));
    if (pages === 0) {
      assert.deepEqual(r.json.result[0], { name: "page:00", metadata: { i: 0 } });
      assert.ok(r.json.result[3].expiration > Date.now() / 1000);
    }
    cursor = r.json.result_info.cursor;
    assert.equal(r.json.result_info.count, r.json.result.length);
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(names, puts.map((x) => x.key));
  assert.equal((await api("GET", `${p}/keys?limit=1001`)).status, 400);
  assert.equal((await api("GET", `${p}/keys?limit=5`)).status, 400);
});

test("bulk get: text, json and withMetadata; missing keys are null; at most 100 keys", async () => {
  const p = await ns();
  await api("PUT", `${p}/bulk`, { body: [{ key: "bg:1", value: '{"a":1}', metadata: { m: 1 } }, { key: "bg:2", value: "[1,2]" }] });
  const text = await api("POST", `${p}/bulk/get`, { body: { keys: ["bg:1", "bg:2", "bg:none"] } });
  assert.deepEqual(text.json.result.values, { "bg:1": '{"a":1}', "bg:2": "[1,2]", "bg:none": null });
  const js = await api("POST", `${p}/bulk/get`, { body: { keys: ["bg:1", "bg:2"], type: "json", withMetadata: true } });
  assert.deepEqual(js.json.result.values, { "bg:1": { value: { a: 1 }, metadata: { m: 1 } }, "bg:2": { value: [1, 2], metadata: null } });
  const tooMany = await api("POST", `${p}/bulk/get`, { body: { keys: Array.from({ length: 101 }, (_, i) => `k${i}`) } });
  assert.equal(tooMany.status, 400);
  const del = await api("POST", `${p}/bulk/delete`, { body: ["bg:1"] });
  assert.equal(del.status, 200);
  assert.equal((await api("GET", `${p}/values/bg:1`)).status, 404);
});
