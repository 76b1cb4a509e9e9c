// D1 + KV API test server: Cloudflare's /client/v4 routes over a real local D1 and KV (workerd
// under `wrangler dev`), with bearer-token auth and configurable fault injection.
// See README.md for the routes, the fault rules and how to start it.
import { ok, fail, json, Codes } from "./envelope.js";
import { Faults, sleep } from "./faults.js";
import { ensureControl } from "./snapshots.js";
import * as d1 from "./d1-routes.js";
import * as kv from "./kv-routes.js";

const faults = new Faults();
let loaded = false;
const stats = { requests: 0, by_route: {}, by_status: {} };

async function load(env) {
  if (loaded) return;
  await ensureControl(env.CONTROL);
  const row = await env.CONTROL.prepare("SELECT value FROM settings WHERE name = 'faults'").first();
  if (row) {
    const saved = JSON.parse(row.value);
    faults.set({ ...saved, rules: saved.rules.map(({ seen, fired, ...r }) => r) });
    faults.config.rules.forEach((r, i) => { r.seen = saved.rules[i].seen; r.fired = saved.rules[i].fired; });
  } else if (env.FAULTS) {
    faults.set(JSON.parse(env.FAULTS));
  }
  loaded = true;
}

// Counters survive a restart of the Worker (wrangler dev restarts it after a long request).
async function saveFaults(env) {
  await env.CONTROL.prepare("INSERT OR REPLACE INTO settings(name, value) VALUES ('faults', ?)")
    .bind(JSON.stringify(faults.config)).run();
}

export default {
  async fetch(request, env) {
    const rid = request.headers.get("x-d1server-rid");
    if (rid) noteSeen(rid);
    await load(env);
    const url = new URL(request.url);
    const path = url.pathname;
    if (path.startsWith("/__admin/")) return admin(request, env, url);
    if (path.startsWith("/__upload/")) return withFaults(env, "upload", [], () => d1.upload(env, request, path.slice(10)));
    if (path.startsWith("/__download/")) return withFaults(env, "download", [], () => d1.download(env, decodeURIComponent(path.slice(12))));
    const prefix = "/client/v4/";
    if (!path.startsWith(prefix)) return fail(404, Codes.noRoute, "No route for that URI");
    const parts = path.slice(prefix.length).split("/");
    const route = classify(parts);
    const authError = authenticate(request, env, parts);
    if (authError) return count(route.name, authError);
    const wait = faults.rateLimited(Date.now());
    if (wait) {
      return count(route.name, fail(429, Codes.rateLimited, "Please wait and consider throttling your request speed", {
        headers: { "retry-after": String(wait) },
      }));
    }
    const res = await withFaults(env, route.name, route.dbIds, () => dispatch(request, env, url, parts));
    return count(route.name, res);
  },
};

// Request ids the front proxy attached, so that it can tell whether a request that wrangler
// dev's proxy failed with 503 reached this Worker (kept in memory: the last 10,000).
const seenIds = new Set();
function noteSeen(rid) {
  seenIds.add(rid);
  if (seenIds.size > 10000) seenIds.delete(seenIds.values().next().value);
}

function count(route, res) {
  stats.requests++;
  stats.by_route[route] = (stats.by_route[route] ?? 0) + 1;
  stats.by_status[res.status] = (stats.by_status[res.status] ?? 0) + 1;
  return res;
}

function classify(parts) {
  // accounts/:a/d1/database/:db/<action>   accounts/:a/storage/kv/...
  if (parts[0] === "accounts" && parts[2] === "d1" && parts[3] === "database") {
    const db = parts[4] ? decodeURIComponent(parts[4]) : null;
    const action = parts[5];
    const name = !action ? "database" : action === "time_travel" ? "time_travel" : action;
    return { name, dbIds: db ? [db] : [] };
  }
  if (parts[0] === "accounts" && parts[2] === "storage" && parts[3] === "kv") return { name: "kv", dbIds: [] };
  return { name: "other", dbIds: [] };
}

function authenticate(request, env, parts) {
  const header = request.headers.get("authorization");
  if (!header && !request.headers.get("x-auth-key")) {
    return fail(400, Codes.missingAuth, "Missing X-Auth-Key, X-Auth-Email or Authorization headers");
  }
  if (header !== `Bearer ${env.API_TOKEN}`) return fail(403, Codes.authentication, "Authentication error");
  if (parts[0] === "accounts" && parts[1] !== env.ACCOUNT_ID) {
    return fail(403, Codes.accountNotAuthorized, "The given account is not valid or is not authorized to access this service");
  }
  return null;
}

async function withFaults(env, routeName, dbIds, work) {
  const ids = dbIds.flatMap((id) => {
    const d = d1.findDatabase(env, id);
    return d ? [d.uuid, d.name] : [id];
  });
  const rule = faults.config.rules.length ? faults.pick(routeName, ids) : null;
  if (faults.config.rules.length) await saveFaults(env);
  if (!rule) return work();
  switch (rule.kind) {
    case "bad_token":
      return fail(403, Codes.authentication, "Authentication error");
    case "rate_limit":
      return fail(429, Codes.rateLimited, "Please wait and consider throttling your request speed", {
        headers: { "retry-after": String(rule.retry_after ?? 1) },
      });
    case "internal_error":
      return fail(500, Codes.d1Sql, `internal error; reference = ${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`);
    case "slow": {
      const ms = rule.delay_ms ?? 31000;
      if ((rule.phase ?? "after") === "before") {
        await sleep(ms);
        return work();
      }
      const res = await work();
      await sleep(ms);
      return res;
    }
    case "reset_after_commit": {
      const res = await work(); // the work commits; its answer is then lost
      await res.arrayBuffer();
      const mode = rule.mode ?? "drop";
      if (mode === "500") return fail(500, Codes.d1Sql, "Network connection lost.");
      if (mode === "503") return new Response("Your worker restarted mid-request. Please try sending the request again.", { status: 503 });
      return dropped();
    }
  }
  return work();
}

// The answer is lost after the commit: the launcher's front proxy (server.mjs) sees this header
// and resets the client's TCP connection instead of forwarding anything. Without the front proxy
// the client gets this 502 envelope, still an answer that does not say whether the work committed.
function dropped() {
  return fail(502, Codes.d1Sql, "connection reset (injected fault)", { headers: { "x-d1server-fault": "drop" } });
}

async function readJson(request) {
  try {
    return { body: await request.json() };
  } catch {
    return { error: fail(400, Codes.d1Malformed, "The request is malformed: body is not valid JSON") };
  }
}

async function dispatch(request, env, url, parts) {
  const method = request.method;
  const origin = url.origin;
  if (parts[0] !== "accounts") return fail(404, Codes.noRoute, "No route for that URI");
  if (parts[2] === "d1" && parts[3] === "database") {
    if (parts.length === 4 || (parts.length === 5 && parts[4] === "")) {
      if (method !== "GET") return fail(405, Codes.methodNotAllowed, "Method not allowed");
      return d1.listDatabases(env, url);
    }
    const id = decodeURIComponent(parts[4]);
    const d = d1.findDatabase(env, id);
    if (!d) return d1.notFound(id);
    const action = parts.slice(5).join("/");
    if (action === "" && method === "GET") return d1.getDatabase(env, d);
    if (action === "time_travel/bookmark" && method === "GET") return d1.bookmarkRoute(env, d, url);
    if (action === "time_travel/restore" && method === "POST") return d1.restoreRoute(env, d, url);
    if (["query", "raw", "import", "export"].includes(action)) {
      if (method !== "POST") return fail(405, Codes.methodNotAllowed, "Method not allowed");
      const { body, error } = await readJson(request);
      if (error) return error;
      if (action === "query") return d1.query(env, d, body, false);
      if (action === "raw") return d1.query(env, d, body, true);
      if (action === "import") return d1.importRoute(env, d, body, origin, faults);
      return d1.exportRoute(env, d, body, origin);
    }
    return fail(404, Codes.noRoute, "No route for that URI");
  }
  if (parts[2] === "storage" && parts[3] === "kv" && parts[4] === "namespaces") {
    if (parts.length === 5) {
      if (method !== "GET") return fail(405, Codes.methodNotAllowed, "Method not allowed");
      return kv.listNamespaces(env, url);
    }
    const n = kv.findNamespace(env, decodeURIComponent(parts[5]));
    if (!n) return fail(404, Codes.kvNamespaceNotFound, "namespace not found");
    const sub = parts[6] ?? "";
    // The key is everything after values/ or metadata/, URL-decoded (it may hold '/').
    const key = parts.length > 7 ? decodeURIComponent(parts.slice(7).join("/")) : null;
    if (sub === "" && method === "GET") return kv.getNamespace(n);
    if (sub === "keys" && method === "GET") return kv.listKeys(env, n, url);
    if (sub === "values" && key !== null) {
      if (method === "GET") return kv.getValue(env, n, key);
      if (method === "PUT") return kv.putValue(env, n, key, request, url);
      if (method === "DELETE") return kv.deleteValue(env, n, key);
    }
    if (sub === "metadata" && key !== null && method === "GET") return kv.getMetadata(env, n, key);
    if (sub === "bulk") {
      const tail = parts[7] ?? "";
      const { body, error } = await readJson(request);
      if (error) return error;
      if (tail === "get" && method === "POST") return kv.bulkGet(env, n, body);
      if (tail === "" && method === "PUT") return kv.bulkPut(env, n, body);
      if ((tail === "" && method === "DELETE") || (tail === "delete" && method === "POST")) return kv.bulkDelete(env, n, body);
    }
    return fail(404, Codes.noRoute, "No route for that URI");
  }
  return fail(404, Codes.noRoute, "No route for that URI");
}

// Admin routes (no auth; the server listens on loopback only).
async function admin(request, env, url) {
  const path = url.pathname.slice("/__admin/".length);
  const method = request.method;
  if (path === "health") return json({ ok: true });
  if (path.startsWith("seen/")) return json({ seen: seenIds.has(path.slice(5)) });
  if (path === "config") {
    return json({
      account_id: env.ACCOUNT_ID,
      databases: d1.databases(env).map(({ name, uuid }) => ({ name, uuid })),
      kv_namespaces: kv.namespaces(env).map(({ id, title }) => ({ id, title })),
    });
  }
  if (path === "faults") {
    if (method === "GET") return json(faults.describe());
    if (method === "DELETE") {
      faults.set({ rules: [] });
      await saveFaults(env);
      return json(faults.describe());
    }
    if (method === "PUT" || method === "POST") {
      try {
        faults.set(await request.json());
      } catch (e) {
        return json({ error: String(e.message ?? e) }, 400);
      }
      await saveFaults(env);
      return json(faults.describe());
    }
  }
  if (path === "stats") {
    if (method === "DELETE") {
      Object.assign(stats, { requests: 0, by_route: {}, by_status: {} });
    }
    return json(stats);
  }
  const m = path.match(/^d1\/([^/]+)\/reset$/);
  if (m && method === "POST") {
    const d = d1.findDatabase(env, decodeURIComponent(m[1]));
    if (!d) return d1.notFound(m[1]);
    return d1.resetDatabase(env, d);
  }
  return json({ error: "no such admin route" }, 404);
}
