#!/usr/bin/env node
// Starts and stops the D1 + KV API test server (a Worker under `wrangler dev`, loopback only).
//
//   node server.mjs start [--port N] [--databases a,b] [--kv ns1,ns2] [--token T] [--account ID]
//                         [--state DIR] [--faults JSON]
//       starts it in the background, waits until it answers, prints one JSON line:
//       {api_base_url, base_url, admin_url, token, account_id, databases:[{name,uuid}],
//        kv_namespaces:[{id,title}], pid, state_dir}  and exits 0.
//   node server.mjs stop DIR      stops the server started with that state dir and deletes it.
//
// From JavaScript: `const s = await startServer({...}); ...; await s.stop();`
// Environment for clients: CLOUDFLARE_API_BASE_URL=<api_base_url>, CLOUDFLARE_API_TOKEN=<token>,
// CLOUDFLARE_ACCOUNT_ID=<account_id>.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");

const md5 = (s) => createHash("md5").update(s).digest("hex");
// Stable ids from names, so a kept state dir maps the same names to the same databases.
export const uuidFor = (name) => {
  const h = md5(`d1:${name}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
export const kvIdFor = (title) => md5(`kv:${title}`);

function wranglerBin() {
  if (process.env.MIGRATION_WRANGLER) return process.env.MIGRATION_WRANGLER;
  return path.join(repoRoot, "node_modules", ".bin", "wrangler");
}

export function writeConfig(stateDir, { databases, kvNamespaces, token, accountId, faults }) {
  const config = {
    name: "d1-api-server",
    main: path.join(here, "src", "worker.js"),
    compatibility_date: "2025-09-01",
    d1_databases: [
      { binding: "CONTROL", database_name: "__control", database_id: "00000000-0000-4000-8000-00000000c0de" },
      ...databases.map((d) => ({ binding: d.binding, database_name: d.name, database_id: d.uuid })),
    ],
    kv_namespaces: kvNamespaces.map((n) => ({ binding: n.binding, id: n.id })),
    r2_buckets: [{ binding: "R2", bucket_name: "d1-api-server-files" }],
    vars: {
      API_TOKEN: token,
      ACCOUNT_ID: accountId,
      D1_DATABASES: JSON.stringify(databases),
      KV_NAMESPACES: JSON.stringify(kvNamespaces),
      ...(faults ? { FAULTS: JSON.stringify(faults) } : {}),
    },
  };
  const file = path.join(stateDir, "wrangler.json");
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export async function startServer(opts = {}) {
  const names = opts.databases ?? ["d1test", "d1test2"];
  const titles = opts.kvNamespaces ?? ["kvtest"];
  const token = opts.token ?? randomBytes(20).toString("hex");
  const accountId = opts.accountId ?? md5("d1-api-server-account");
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "d1-api-server-"));
  fs.mkdirSync(stateDir, { recursive: true });
  const databases = names.map((name, i) => ({ binding: `DB_${i}`, name, uuid: uuidFor(name) }));
  const kvNamespaces = titles.map((title, i) => ({ binding: `KV_${i}`, id: kvIdFor(title), title }));
  const configFile = writeConfig(stateDir, { databases, kvNamespaces, token, accountId, faults: opts.faults });
  // The ports are free when chosen, not reserved: another process (another test's wrangler
  // picking its own internal ports) may take one before wrangler dev binds it. Then wrangler
  // exits with "Address already in use", and the start is tried again on new ports.
  let port, child, exited;
  for (let attempt = 1; ; attempt++) {
    const [front, inspectorPort, wranglerPort] = await freePorts(3);
    port = opts.port ?? front;
    fs.writeFileSync(path.join(stateDir, "ports.json"), JSON.stringify({ port, wranglerPort, inspectorPort, configFile }));
    const log = fs.openSync(path.join(stateDir, "wrangler.log"), "a");
    // One detached process group: this module's `serve` (the front proxy) and wrangler dev under it.
    child = spawn(process.execPath, [fileURLToPath(import.meta.url), "serve", stateDir], {
      cwd: stateDir,
      detached: true,
      stdio: ["ignore", log, log],
    });
    child.unref();
    fs.closeSync(log);
    exited = null;
    child.on("exit", (code) => (exited = code));
    if (await answers(`http://127.0.0.1:${port}`, () => exited, opts.timeoutMs ?? 90000, child.pid, stateDir)) break;
    const taken = fs.readFileSync(path.join(stateDir, "wrangler.log"), "utf8").includes("Address already in use");
    if (!taken || attempt === 3) throw new Error(`wrangler dev exited with ${exited}; see ${path.join(stateDir, "wrangler.log")}`);
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const info = {
    base_url: baseUrl,
    api_base_url: `${baseUrl}/client/v4`,
    admin_url: `${baseUrl}/__admin`,
    token,
    account_id: accountId,
    databases: databases.map(({ name, uuid }) => ({ name, uuid })),
    kv_namespaces: kvNamespaces.map(({ id, title }) => ({ id, title })),
    pid: child.pid,
    state_dir: stateDir,
  };
  fs.writeFileSync(path.join(stateDir, "server.json"), JSON.stringify(info, null, 2));
  return { ...info, stop: () => stopServer(stateDir, { keep: opts.keepState }) };
}

// Distinct free ports: all held open at once, so two of them cannot be the same port.
async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      s.unref();
      await new Promise((resolve, reject) => { s.on("error", reject); s.listen(0, "127.0.0.1", resolve); });
      servers.push(s);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

// Whether the server answers its health check before the deadline; false when it exited first.
async function answers(baseUrl, exitCode, timeoutMs, pid, stateDir) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode() !== null) return false;
    try {
      const r = await fetch(`${baseUrl}/__admin/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return true;
    } catch {}
    if (Date.now() > deadline) {
      stopPid(pid);
      throw new Error(`the test server did not answer within the timeout; see ${path.join(stateDir, "wrangler.log")}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

// The front proxy: forwards every request to wrangler dev, except an answer marked
// x-d1server-fault: drop, for which it resets the client's connection (a real "connection
// reset" after the server committed; wrangler dev itself cannot drop a connection), and a
// spurious 503 of wrangler dev's own proxy for a request the Worker never saw, which it resends.
async function serve(stateDir) {
  const { port, wranglerPort, inspectorPort, configFile } = JSON.parse(fs.readFileSync(path.join(stateDir, "ports.json"), "utf8"));
  const http = await import("node:http");
  const wrangler = spawn(
    wranglerBin(),
    ["dev", "--config", configFile, "--ip", "127.0.0.1", "--port", String(wranglerPort), "--inspector-port", String(inspectorPort),
      "--persist-to", path.join(stateDir, "persist"), "--log-level", process.env.D1SERVER_LOG_LEVEL ?? "warn"],
    {
      cwd: stateDir,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false", // no cf.json download: loopback traffic only
        WRANGLER_HIDE_BANNER: "true",
        WRANGLER_LOG_PATH: path.join(stateDir, "logs"),
        CI: "true",
      },
    }
  );
  const agent = new http.Agent({ keepAlive: true });
  const forward = (req, body, rid) =>
    new Promise((resolve, reject) => {
      const up = http.request(
        { host: "127.0.0.1", port: wranglerPort, method: req.method, path: req.url, agent,
          // identity: the proxy reads 503 bodies; loopback gains nothing from compression
          headers: { ...req.headers, "x-d1server-rid": rid, "content-length": String(body.length), "accept-encoding": "identity" } },
        resolve
      );
      up.on("error", reject);
      up.end(body);
    });
  const seen = async (rid) => {
    const r = await fetch(`http://127.0.0.1:${wranglerPort}/__admin/seen/${rid}`);
    return (await r.json()).seen;
  };
  let next = 0;
  const server = http.createServer(async (req, res) => {
    // A client that dies mid-request (kill -9 of a test's child pwsh) resets its socket: the
    // request body's stream and the answer's both raise ECONNRESET. Unhandled, that error ends
    // this proxy (and with it the server for every later test); it concerns one client only.
    req.on("error", () => {});
    res.on("error", () => {});
    const rid = `${process.pid}-${++next}`;
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      let ur = await forward(req, body, rid);
      // wrangler dev's own proxy answers 503 "Your worker restarted mid-request" when its
      // kept-alive connection to the Worker drops (seen after long requests). That is not
      // Cloudflare's behaviour: when the Worker never saw the request, send it again (once).
      if (ur.statusCode === 503 && !ur.headers["x-d1server-fault"]) {
        const parts = [];
        for await (const c of ur) parts.push(c);
        const text = Buffer.concat(parts);
        if (/restarted mid-request/.test(text.toString("latin1")) && !(await seen(rid))) ur = await forward(req, body, `${rid}-retry`);
        else {
          res.writeHead(503, ur.headers);
          res.end(text);
          return;
        }
      }
      if (ur.headers["x-d1server-fault"] === "drop") {
        ur.resume();
        if (req.socket.resetAndDestroy) req.socket.resetAndDestroy();
        else req.socket.destroy();
        return;
      }
      res.writeHead(ur.statusCode, ur.statusMessage, ur.headers);
      ur.on("error", () => res.destroy());
      ur.pipe(res);
    } catch (e) {
      if (req.destroyed || res.destroyed) return; // the client went away: nobody to answer
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`front proxy: wrangler dev did not answer: ${e.message}`);
      } else res.destroy();
    }
  });
  server.requestTimeout = 0; // the slow fault holds answers past 30 s
  server.headersTimeout = 0;
  server.keepAliveTimeout = 5000;
  server.listen(port, "127.0.0.1");
  const stop = () => {
    server.close();
    wrangler.kill("SIGTERM");
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  wrangler.on("exit", (code) => {
    process.stderr.write(`wrangler dev exited with ${code}\n`);
    process.exit(code ?? 1);
  });
}

function stopPid(pid) {
  try {
    process.kill(-pid, "SIGTERM"); // the process group this launcher started (wrangler + workerd)
  } catch {}
}

export async function stopServer(stateDir, { keep = false } = {}) {
  const file = path.join(stateDir, "server.json");
  if (!fs.existsSync(file)) return;
  const { pid } = JSON.parse(fs.readFileSync(file, "utf8"));
  stopPid(pid);
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(-pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try { process.kill(-pid, "SIGKILL"); } catch {}
  if (!keep) fs.rmSync(stateDir, { recursive: true, force: true });
  else fs.rmSync(file, { force: true });
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--port") o.port = Number(v());
    else if (a === "--databases") o.databases = v().split(",").filter(Boolean);
    else if (a === "--kv") o.kvNamespaces = v().split(",").filter(Boolean);
    else if (a === "--token") o.token = v();
    else if (a === "--account") o.accountId = v();
    else if (a === "--state") o.stateDir = path.resolve(v());
    else if (a === "--faults") o.faults = JSON.parse(v());
    else if (a === "--keep") o.keepState = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2);
  try {
    if (cmd === "serve" && rest[0]) {
      await serve(rest[0]);
    } else if (cmd === "start") {
      const s = await startServer(parseArgs(rest));
      const { stop, ...info } = s;
      process.stdout.write(JSON.stringify(info) + "\n");
    } else if (cmd === "stop" && rest[0]) {
      await stopServer(path.resolve(rest[0]), { keep: rest.includes("--keep") });
    } else {
      process.stderr.write("usage: node server.mjs start [options] | node server.mjs stop STATE_DIR\n");
      process.exit(2);
    }
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
