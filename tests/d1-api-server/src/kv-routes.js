// Workers KV routes under /client/v4/accounts/:account/storage/kv/namespaces, over real local
// KV bindings (Miniflare's KV: its limits on key size, value size, metadata size and TTL apply).
import { ok, fail, Codes } from "./envelope.js";

export function namespaces(env) {
  return JSON.parse(env.KV_NAMESPACES ?? "[]");
}
export function findNamespace(env, id) {
  return namespaces(env).find((n) => n.id === id) ?? null;
}
const describe = (n) => ({ id: n.id, title: n.title, supports_url_encoding: true });
const bad = (msg) => fail(400, Codes.kvBadRequest, msg);

export function listNamespaces(env, url) {
  let list = namespaces(env).slice();
  const direction = url.searchParams.get("direction") === "desc" ? -1 : 1;
  const order = url.searchParams.get("order") === "title" ? "title" : "id";
  list.sort((a, b) => (a[order] < b[order] ? -direction : a[order] > b[order] ? direction : 0));
  const perPage = Math.min(Math.max(parseInt(url.searchParams.get("per_page") ?? "20", 10) || 20, 5), 1000);
  const page = Math.max(parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1);
  const slice = list.slice((page - 1) * perPage, page * perPage).map(describe);
  return ok(slice, { resultInfo: { page, per_page: perPage, count: slice.length, total_count: list.length } });
}

export function getNamespace(n) {
  return ok(describe(n));
}

// GET keys: cursor paging, prefix, limit 10..1000 (default 1000), metadata and expiration.
export async function listKeys(env, n, url) {
  const limitText = url.searchParams.get("limit");
  const limit = limitText === null ? 1000 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 10 || limit > 1000) return bad("Invalid limit: must be an integer between 10 and 1000");
  const opts = { limit };
  const prefix = url.searchParams.get("prefix");
  if (prefix) opts.prefix = prefix;
  const cursor = url.searchParams.get("cursor");
  if (cursor) opts.cursor = cursor;
  let r;
  try {
    r = await env[n.binding].list(opts);
  } catch (e) {
    return bad(String(e.message ?? e));
  }
  const keys = r.keys.map((k) => {
    const o = { name: k.name };
    if (k.expiration !== undefined) o.expiration = k.expiration;
    if (k.metadata !== undefined) o.metadata = k.metadata;
    return o;
  });
  return ok(keys, { resultInfo: { count: keys.length, cursor: r.list_complete ? "" : r.cursor } });
}

export async function getValue(env, n, key) {
  const r = await env[n.binding].getWithMetadata(key, "arrayBuffer");
  if (r.value === null) return fail(404, Codes.kvKeyNotFound, "get: 'key not found'");
  const headers = { "content-type": "application/octet-stream" };
  // KV's binding does not return the expiration on get; the list does, so look it up for the header.
  const listed = await env[n.binding].list({ prefix: key, limit: 1 });
  const hit = listed.keys.find((k) => k.name === key);
  if (hit?.expiration !== undefined) headers.expiration = String(hit.expiration);
  return new Response(r.value, { status: 200, headers });
}

export async function getMetadata(env, n, key) {
  const r = await env[n.binding].getWithMetadata(key, "arrayBuffer");
  if (r.value === null) return fail(404, Codes.kvKeyNotFound, "get: 'key not found'");
  return ok(r.metadata ?? null);
}

function putOptions(url) {
  const o = {};
  const exp = url.searchParams.get("expiration");
  const ttl = url.searchParams.get("expiration_ttl");
  if (exp) o.expiration = Number(exp);
  if (ttl) o.expirationTtl = Number(ttl);
  return o;
}

// PUT value: a raw body, or multipart/form-data with `value` and `metadata` (JSON text).
export async function putValue(env, n, key, request, url) {
  const opts = putOptions(url);
  let value;
  const type = request.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await request.formData();
    const v = form.get("value");
    if (v === null) return bad("multipart body needs a 'value' field");
    value = typeof v === "string" ? v : await v.arrayBuffer();
    const m = form.get("metadata");
    if (m !== null) {
      try {
        opts.metadata = JSON.parse(typeof m === "string" ? m : await m.text());
      } catch {
        return bad("metadata must be JSON");
      }
    }
  } else {
    value = await request.arrayBuffer();
  }
  try {
    await env[n.binding].put(key, value, opts);
  } catch (e) {
    return bad(String(e.message ?? e));
  }
  return ok({});
}

export async function deleteValue(env, n, key) {
  await env[n.binding].delete(key);
  return ok({});
}

// POST bulk/get: up to 100 keys; type text|json; withMetadata. Missing keys map to null.
export async function bulkGet(env, n, body) {
  const keys = body?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 100 || !keys.every((k) => typeof k === "string")) {
    return bad("keys must be an array of 1 to 100 key names");
  }
  const type = body.type ?? "text";
  if (type !== "text" && type !== "json") return bad("type must be text or json");
  const values = {};
  for (const key of keys) {
    const r = await env[n.binding].getWithMetadata(key, "text");
    if (r.value === null) { values[key] = null; continue; }
    let v = r.value;
    if (type === "json") {
      try { v = JSON.parse(v); } catch { return bad(`value of key '${key}' is not JSON`); }
    }
    if (body.withMetadata) {
      const o = { value: v, metadata: r.metadata ?? null };
      const listed = await env[n.binding].list({ prefix: key, limit: 1 });
      const hit = listed.keys.find((k) => k.name === key);
      if (hit?.expiration !== undefined) o.expiration = hit.expiration;
      values[key] = o;
    } else values[key] = v;
  }
  return ok({ values });
}

// PUT bulk: [{key, value, expiration?, expiration_ttl?, metadata?, base64?}], up to 10,000.
export async function bulkPut(env, n, body) {
  if (!Array.isArray(body) || body.length > 10000) return bad("body must be an array of up to 10000 key-value pairs");
  const unsuccessful = [];
  for (const kv of body) {
    if (typeof kv?.key !== "string" || typeof kv?.value !== "string") { unsuccessful.push(String(kv?.key)); continue; }
    const opts = {};
    if (kv.expiration) opts.expiration = kv.expiration;
    if (kv.expiration_ttl) opts.expirationTtl = kv.expiration_ttl;
    if (kv.metadata !== undefined) opts.metadata = kv.metadata;
    const value = kv.base64 ? Uint8Array.from(atob(kv.value), (c) => c.charCodeAt(0)) : kv.value;
    try {
      await env[n.binding].put(kv.key, value, opts);
    } catch {
      unsuccessful.push(kv.key);
    }
  }
  return ok({ successful_key_count: body.length - unsuccessful.length, unsuccessful_keys: unsuccessful });
}

export async function bulkDelete(env, n, body) {
  if (!Array.isArray(body) || !body.every((k) => typeof k === "string")) return bad("body must be an array of key names");
  for (const k of body) await env[n.binding].delete(k);
  return ok({ successful_key_count: body.length, unsuccessful_keys: [] });
}
