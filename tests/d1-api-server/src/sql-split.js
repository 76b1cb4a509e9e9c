// Splits a multi-statement SQL text on top-level semicolons the way D1's API does: quotes,
// identifiers, comments and the BEGIN ... END body of CREATE TRIGGER (and CASE ... END) keep
// their semicolons. Linear in the input (wrangler's own splitter is quadratic on long quoted
// values: workers-sdk#15556), because import files here may be tens of megabytes.
// Statements that hold only whitespace and comments are dropped, as D1 drops them.

export function splitSql(sql) {
  const out = [];
  const n = sql.length;
  let start = 0;
  let depth = 0; // open BEGIN/CASE blocks
  let i = 0;
  let stmtIsTrigger = null; // decided at the first words of each statement
  let words = []; // first few top-level words of the current statement
  const push = (end) => {
    const text = sql.slice(start, end);
    if (hasCode(text)) out.push(text.trim());
    start = end + 1;
    depth = 0;
    words = [];
    stmtIsTrigger = null;
  };
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === "`") {
      const close = c;
      i++;
      while (i < n) {
        if (sql[i] === close) {
          if (sql[i + 1] === close) { i += 2; continue; }
          break;
        }
        i++;
      }
      i++;
      continue;
    }
    if (c === "[") {
      const j = sql.indexOf("]", i + 1);
      i = j < 0 ? n : j + 1;
      continue;
    }
    if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i + 2);
      i = j < 0 ? n : j + 1;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      const j = sql.indexOf("*/", i + 2);
      i = j < 0 ? n : j + 2;
      continue;
    }
    if (c === ";") {
      if (depth === 0) push(i);
      i++;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql[j])) j++;
      const w = sql.slice(i, j).toUpperCase();
      if (words.length < 6) words.push(w);
      if (stmtIsTrigger === null && words.length >= 2) {
        // CREATE [TEMP|TEMPORARY] TRIGGER ...
        stmtIsTrigger = words[0] === "CREATE" && (words[1] === "TRIGGER" || words[2] === "TRIGGER");
        if (words[1] !== "TRIGGER" && words.length < 3 && (words[1] === "TEMP" || words[1] === "TEMPORARY")) stmtIsTrigger = null;
      }
      if (w === "CASE") depth++;
      else if (w === "BEGIN" && stmtIsTrigger) depth++;
      else if (w === "END" && depth > 0) depth--;
      i = j;
      continue;
    }
    i++;
  }
  push(n);
  return out;
}

function isWordStart(c) {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || c === "_";
}
function isWordPart(c) {
  return isWordStart(c) || (c >= "0" && c <= "9") || c === "$";
}

// True when the text holds something other than whitespace and comments.
export function hasCode(text) {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") { i++; continue; }
    if (c === "-" && text[i + 1] === "-") {
      const j = text.indexOf("\n", i + 2);
      if (j < 0) return false;
      i = j + 1;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const j = text.indexOf("*/", i + 2);
      if (j < 0) return false;
      i = j + 2;
      continue;
    }
    return true;
  }
  return false;
}
