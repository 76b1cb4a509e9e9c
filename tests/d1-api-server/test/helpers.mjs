// Shared by the tests: the running server (started by run-tests.sh, or here when run alone),
// small API clients, and the real wrangler CLI pointed at the server.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after } from "node:test";
import { startServer } from "../server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../..");

// Scratch directories of this test process, removed when it ends (registered at load time, at
// the top level: registered inside a hook, node:test would run it when that hook ends).
const tmpRoot = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "d1server-test-"));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(tmpRoot, prefix));
}

let serverPromise = null;
export function server() {
  if (!serverPromise) {
    const state = process.env.D1SERVER_STATE;
    if (state) serverPromise = Promise.resolve(JSON.parse(fs.readFileSync(path.join(state, "server.json"), "utf8")));
    else {
      serverPromise = startServer({ databases: ["d1test", "d1test2", "wrtest"], kvNamespaces: ["kvtest", "kvwr"] });
      after(async () => (await serverPromise).stop());
    }
  }
  return serverPromise;
}

export async function api(method, p, { body, token, headers = {}, raw = false } = {}) {
  const s = await server();
  const h = { authorization: `Bearer ${token ?? s.token}`, ...headers };
  let payload = body;
  if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array) && !(body instanceof FormData)) {
    payload = JSON.stringify(body);
    h["content-type"] = "application/json";
  }
  if (token === null) delete h.authorization;
  const res = await fetch(`${s.api_base_url}${p}`, { method, headers: h, body: payload });
  if (raw) return res;
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

export const acct = async () => `/accounts/${(await server()).account_id}`;
export async function dbPath(name, action = "") {
  return `${await acct()}/d1/database/${name}${action ? "/" + action : ""}`;
}
export async function query(db, body) {
  return api("POST", await dbPath(db, "query"), { body });
}
export async function raw(db, body) {
  return api("POST", await dbPath(db, "raw"), { body });
}
// Runs SQL that must succeed and returns the last statement's rows (objects).
export async function sql(db, text, params) {
  const r = await query(db, params ? { sql: text, params } : { sql: text });
  if (r.status !== 200) throw new Error(`SQL failed (${r.status}): ${r.text}`);
  return r.json.result.at(-1).results;
}

export async function admin(method, p, body) {
  const s = await server();
  const res = await fetch(`${s.admin_url}/${p}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
export const resetDb = (name) => admin("POST", `d1/${name}/reset`);
export const setFaults = (cfg) => admin("PUT", "faults", cfg);
export const clearFaults = () => admin("DELETE", "faults");

export async function kvId(title) {
  return (await server()).kv_namespaces.find((n) => n.title === title).id;
}

// The real wrangler CLI, configured only through the environment, as a user would.
export async function wrangler(args, { cwd, token } = {}) {
  const s = await server();
  const bin = process.env.MIGRATION_WRANGLER ?? path.join(repoRoot, "node_modules", ".bin", "wrangler");
  const dir = cwd ?? tempDir("wr-");
  return new Promise((resolve) => {
    const child = spawn(bin, args, {
      cwd: dir,
      env: {
        ...process.env,
        CLOUDFLARE_API_BASE_URL: s.api_base_url,
        CLOUDFLARE_API_TOKEN: token ?? s.token,
        CLOUDFLARE_ACCOUNT_ID: s.account_id,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_HIDE_BANNER: "true",
        WRANGLER_LOG_PATH: path.join(dir, "logs"),
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr, cwd: dir }));
  });
}
