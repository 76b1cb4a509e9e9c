// Time Travel, emulated with snapshots. A bookmark names a snapshot of the whole database taken
// when the bookmark was asked for (GET time_travel/bookmark) or when a restore replaced the
// content (its previous_bookmark). Snapshots are exact: every cell is read with its storage class
// (integers as text, so 64-bit values survive; REAL with 17 significant digits; TEXT and BLOB
// bound back as parameters, so NULs and 2 MB values survive), and restore rebuilds schema, rows
// (with their rowids), sqlite_sequence, indexes, triggers and views in one transaction.
// Snapshots live in R2 (snapshots/<uuid>/<bookmark>.json); the index in the CONTROL database.

import { execute } from "./d1-engine.js";

const q = (id) => `"${String(id).replace(/"/g, '""')}"`;

export async function ensureControl(control) {
  await control.exec(
    "CREATE TABLE IF NOT EXISTS bookmarks (db TEXT NOT NULL, bookmark TEXT NOT NULL PRIMARY KEY, created_ms INTEGER NOT NULL, version INTEGER NOT NULL);" +
      " CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
  );
}

// Bookmarks sort lexicographically in creation order: a sequence number, then the time.
export function makeBookmark(seq, ms) {
  const hex8 = (n) => (n >>> 0).toString(16).padStart(8, "0");
  const rand = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex8(seq)}-${hex8(Math.floor(ms / 2 ** 32))}-${hex8(ms % 2 ** 32)}-${rand}`;
}

async function userObjects(db) {
  const r = await execute(db, [{
    sql: "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY rowid",
  }]);
  if (!r.ok) throw new Error(r.error);
  const { columns, rows } = r.results[0].results;
  return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}

// Reads the whole database in one transaction (one engine call), so the snapshot is consistent.
export async function takeSnapshot(db) {
  const objects = await userObjects(db);
  const tables = objects.filter((o) => o.type === "table");
  const infoStatements = tables.map((t) => ({ sql: `PRAGMA table_info(${q(t.name)})` }));
  const info = infoStatements.length ? await execute(db, infoStatements) : { ok: true, results: [] };
  if (!info.ok) throw new Error(info.error);
  const plans = tables.map((t, i) => {
    const { columns, rows } = info.results[i].results;
    const nameIdx = columns.indexOf("name");
    const cols = rows.map((r) => r[nameIdx]);
    const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*(,\s*STRICT\s*)?$/i.test(t.sql) || /STRICT\s*,\s*WITHOUT\s+ROWID\s*$/i.test(t.sql);
    const keepRowid = !withoutRowid && cols.length < 100;
    // REAL is tagged only: SQLite prints doubles inexactly (printf('%!.17g', 1e300) is another
    // double; JSON cannot carry infinities, so those are tagged), so its value comes from a second read of the plain columns, where the engine
    // hands the double over exactly. Both reads run in the same transaction, in rowid order.
    const cell = (c) =>
      `CASE typeof(${c}) WHEN 'integer' THEN 'i' || ${c} WHEN 'real' THEN CASE WHEN ${c} = 9e999 THEN 'r+' WHEN ${c} = -9e999 THEN 'r-' ELSE 'r' END WHEN 'text' THEN 't' || ${c} WHEN 'blob' THEN 'b' || hex(${c}) ELSE NULL END`;
    const select = [keepRowid ? "'i' || _rowid_" : null, ...cols.map((c) => cell(q(c)))].filter(Boolean).join(", ");
    const order = keepRowid ? " ORDER BY _rowid_" : "";
    return {
      name: t.name, cols, keepRowid,
      sql: `SELECT ${select} FROM ${q(t.name)}${order}`,
      plain: `SELECT ${cols.map(q).join(", ")} FROM ${q(t.name)}${order}`,
    };
  });
  const hasSeq = (await execute(db, [{ sql: "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'" }])).results[0].results.rows[0][0] > 0;
  const reads = [...plans.map((p) => ({ sql: p.sql })), ...plans.map((p) => ({ sql: p.plain })), ...(hasSeq ? [{ sql: "SELECT name, CAST(seq AS TEXT) FROM sqlite_sequence" }] : [])];
  const data = reads.length ? await execute(db, reads) : { ok: true, results: [] };
  if (!data.ok) throw new Error(data.error);
  return {
    objects,
    tables: plans.map((p, i) => {
      const plain = data.results[plans.length + i].results.rows;
      const offset = p.keepRowid ? 1 : 0;
      const rows = data.results[i].results.rows.map((row, r) =>
        row.map((v, c) => (v === "r" ? ["r", plain[r][c - offset]] : v === "r+" ? ["r", "+inf"] : v === "r-" ? ["r", "-inf"] : v)));
      return { name: p.name, cols: p.cols, keepRowid: p.keepRowid, rows };
    }),
    sequence: hasSeq ? data.results[2 * plans.length].results.rows : [],
  };
}

function decodeCell(v) {
  if (v === null) return { literal: "NULL" };
  if (Array.isArray(v)) return decodeReal(v[1]);
  const tag = v[0];
  const body = v.slice(1);
  if (tag === "i") return { literal: body };
  if (tag === "t") return { param: body };
  const bytes = [];
  for (let i = 0; i < body.length; i += 2) bytes.push(parseInt(body.slice(i, i + 2), 16));
  return { param: bytes, blob: true };
}

function decodeReal(x) {
  if (x === null || x === undefined) return { literal: "NULL" }; // NaN is stored as NULL by SQLite
  if (x === "+inf") return { literal: "9e999" }; // a string: the snapshot is stored as JSON
  if (x === "-inf") return { literal: "-9e999" };
  // Small integral values go inline as "N.0", so that a JSON integer never turns a REAL into an
  // INTEGER in an untyped column; other doubles are bound, and arrive bit for bit.
  if (Number.isSafeInteger(x) && !Object.is(x, -0)) return { literal: `${x}.0` };
  return { param: x };
}

// Statements that drop every user object (views and triggers first), for restore and reset.
export async function wipeStatements(db) {
  const objects = await userObjects(db);
  const order = { view: 0, trigger: 1, index: 2, table: 3 };
  const drops = objects
    .sort((a, b) => order[a.type] - order[b.type])
    .filter((o) => o.type !== "index") // indexes go with their tables
    .map((o) => ({ sql: `DROP ${o.type.toUpperCase()} IF EXISTS ${q(o.name)}` }));
  const hasSeq = (await execute(db, [{ sql: "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'" }])).results[0].results.rows[0][0] > 0;
  return [{ sql: "PRAGMA defer_foreign_keys = on" }, ...drops, ...(hasSeq ? [{ sql: "DELETE FROM sqlite_sequence" }] : [])];
}

export function restoreStatements(snapshot) {
  const out = [];
  for (const o of snapshot.objects.filter((o) => o.type === "table")) out.push({ sql: o.sql });
  for (const t of snapshot.tables) {
    const target = `${q(t.name)}(${[t.keepRowid ? "_rowid_" : null, ...t.cols.map(q)].filter(Boolean).join(", ")})`;
    for (const row of t.rows) {
      const values = [];
      const params = [];
      for (const v of row) {
        const d = decodeCell(v);
        if (d.literal !== undefined) values.push(d.literal);
        else { values.push("?"); params.push(d.param); }
      }
      out.push({ sql: `INSERT INTO ${target} VALUES (${values.join(", ")})`, params });
    }
  }
  if (snapshot.sequence.length) out.push({ sql: "DELETE FROM sqlite_sequence" });
  for (const [name, seq] of snapshot.sequence) {
    out.push({ sql: "INSERT INTO sqlite_sequence(name, seq) VALUES (?, CAST(? AS INTEGER))", params: [name, String(seq)] });
  }
  for (const o of snapshot.objects.filter((o) => o.type !== "table")) out.push({ sql: o.sql });
  return out;
}
