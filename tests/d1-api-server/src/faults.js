// Fault injection. The configuration is a list of rules; each request is matched against them in
// order and the first rule that fires decides the fault. A rule fires by count (the next N
// matching requests, optionally after skipping some) or by rate (a seeded pseudo-random draw, so
// a run with the same seed and the same request order sees the same faults).
//
// rule = {
//   kind: "rate_limit" | "internal_error" | "reset_after_commit" | "slow" | "bad_token",
//   route?: "query" | "raw" | "import" | "export" | "time_travel" | "database" | "kv" | "upload" | "download" | "any",
//   db?: name or uuid,         // D1 routes only
//   count?: N, skip?: N,       // fire on the (skip+1)th .. (skip+N)th matching request
//   rate?: 0..1,               // or fire with this probability
//   retry_after?: seconds,     // rate_limit (default 1)
//   delay_ms?: ms,             // slow (default 31000); phase "before" delays before executing
//   phase?: "before" | "after",// slow: delay before or after the work commits (default after)
//   mode?: "drop" | "500" | "503" // reset_after_commit: how the answer is lost (default drop)
// }
// config = { rules: [rule], seed?: number, and the settings in SETTINGS below }
// (the import settings are not faults, but travel with them: see d1-routes.js, ingest)

const KINDS = new Set(["rate_limit", "internal_error", "reset_after_commit", "slow", "bad_token"]);
const ROUTES = new Set(["query", "raw", "import", "export", "time_travel", "database", "kv", "upload", "download", "any"]);

export function validateConfig(config) {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new Error("config must be an object");
  const rules = config.rules ?? [];
  if (!Array.isArray(rules)) throw new Error("rules must be an array");
  for (const [i, r] of rules.entries()) {
    if (!KINDS.has(r.kind)) throw new Error(`rules[${i}].kind must be one of ${[...KINDS].join(", ")}`);
    if (r.route !== undefined && !ROUTES.has(r.route)) throw new Error(`rules[${i}].route must be one of ${[...ROUTES].join(", ")}`);
    if (r.count === undefined && r.rate === undefined) throw new Error(`rules[${i}] needs count or rate`);
    if (r.rate !== undefined && !(r.rate >= 0 && r.rate <= 1)) throw new Error(`rules[${i}].rate must be within 0..1`);
    for (const k of ["count", "skip", "retry_after", "delay_ms"]) {
      if (r[k] !== undefined && !(Number.isInteger(r[k]) && r[k] >= 0)) throw new Error(`rules[${i}].${k} must be a non-negative integer`);
    }
    if (r.mode !== undefined && !["drop", "500", "503"].includes(r.mode)) throw new Error(`rules[${i}].mode must be drop, 500 or 503`);
    if (r.phase !== undefined && !["before", "after"].includes(r.phase)) throw new Error(`rules[${i}].phase must be before or after`);
  }
  const known = new Set(["rules", "seed", ...Object.keys(SETTINGS)]);
  for (const k of Object.keys(config)) if (!known.has(k)) throw new Error(`unknown setting '${k}'`);
  const out = { rules: rules.map((r) => ({ ...r, seen: 0, fired: 0 })), seed: config.seed ?? 1 };
  for (const [k, def] of Object.entries(SETTINGS)) {
    const v = config[k] ?? def;
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`${k} must be a non-negative integer`);
    out[k] = v;
  }
  return out;
}

// import_polls: polls that answer "active" before a finished import reports its result.
// import_single_max: files with at most this many statements run as one transaction.
// import_slice_ms: work per request on a larger, chunked import (at least one chunk).
// api_rate_limit / api_rate_window_s: Cloudflare's API rate limit (1,200 requests per 5 minutes
// per token), as a sliding window over /client/v4 requests; 0 turns it off (the default).
export const SETTINGS = { import_polls: 0, import_single_max: 100000, import_slice_ms: 4000, api_rate_limit: 0, api_rate_window_s: 300 };

export class Faults {
  constructor() {
    this.config = validateConfig({});
    this.rng = mulberry32(1);
    this.log = []; // what fired, for tests: [{kind, route, db, at}]
  }

  set(config) {
    this.config = validateConfig(config);
    this.window = []; // times of the requests inside the rate window
    this.rng = mulberry32(this.config.seed >>> 0);
    this.log = [];
  }

  describe() {
    return { ...this.config, fired_log: this.log };
  }

  // Seconds to wait when this request exceeds the API rate limit, else 0 (and it is counted).
  rateLimited(now) {
    const limit = this.config.api_rate_limit;
    if (!limit) return 0;
    const span = this.config.api_rate_window_s * 1000;
    this.window ??= [];
    while (this.window.length && this.window[0] <= now - span) this.window.shift();
    if (this.window.length >= limit) return Math.max(1, Math.ceil((this.window[0] + span - now) / 1000));
    this.window.push(now);
    return 0;
  }

  // Returns the rule that fires for this request, or null.
  pick(route, dbIds) {
    for (const rule of this.config.rules) {
      const r = rule.route ?? "any";
      if (r !== "any" && r !== route) continue;
      if (rule.db !== undefined && !(dbIds ?? []).includes(rule.db)) continue;
      rule.seen++;
      let fire;
      if (rule.count !== undefined) {
        const skip = rule.skip ?? 0;
        fire = rule.seen > skip && rule.fired < rule.count;
      } else {
        fire = this.rng() < rule.rate;
      }
      if (fire) {
        rule.fired++;
        this.log.push({ kind: rule.kind, route, db: dbIds?.[0] ?? null, at: Date.now() });
        return rule;
      }
    }
    return null;
  }
}

function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
