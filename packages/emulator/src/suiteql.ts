import { type Call, jsonReply } from './call.js';
import { hiddenSuiteqlNames } from './customization.js';
import { mediaType, nsError } from './http.js';
import { offsetOutOfBounds, pageLinks, paging } from './records.js';
import { runSuiteql, SuiteqlBudgetExceeded, type SuiteqlOutcome } from './suiteql-worker.js';

function invalidQuery(message: string) {
  return nsError(
    400,
    'INVALID_PARAMETER',
    `Invalid search query. Detailed unprocessed description follows. Search error occurred: ${message}`.slice(
      0,
      600,
    ),
  );
}

// SuiteQL is Oracle-flavoured; rewrite the common NetSuite-only spellings to SQLite, outside string literals.
function translate(q: string): string {
  return q
    .split(/('(?:[^']|'')*'|"(?:[^"]|"")*")/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\bBUILTIN\.DF\s*\(/gi, 'BUILTIN_DF(')
            .replace(/\bSYSDATE\b/gi, "datetime('now')")
            .replace(/\bFETCH\s+FIRST\s+(\d+)\s+ROWS\s+ONLY\b/gi, 'LIMIT $1')
            // TRANSACTION is a keyword in SQLite and a table (and column) name in SuiteQL.
            .replace(/\btransaction\b/gi, '"transaction"'),
    )
    .join('');
}

// Oracle's `ROWNUM` in its most common form, a trailing `WHERE|AND ROWNUM <= n` (or `< n`), becomes a LIMIT.
function rownum(sql: string): string {
  const m = /\s+(WHERE|AND)\s+ROWNUM\s*(<=|<)\s*(\d{1,9})\s*$/i.exec(sql);
  if (!m) return sql;
  const limit = Number(m[3]) - (m[2] === '<' ? 1 : 0);
  return `${sql.slice(0, m.index)} LIMIT ${Math.max(limit, 0)}`;
}

function formatDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m ? `${Number(m[2])}/${Number(m[3])}/${m[1]}` : value;
}

/** `POST /services/rest/query/v1/suiteql` (section_157909186990.html). */
export async function handleSuiteql(call: Call) {
  const { state } = call;
  if (call.method !== 'POST') throw nsError(405, 'INVALID_REQUEST', 'SuiteQL queries are sent with POST.');
  const prefer = String(call.req.headers.prefer ?? '').toLowerCase();
  if (prefer.includes('respond-async')) {
    throw nsError(400, 'INVALID_REQUEST', 'The query service does not support asynchronous requests.', {
      'o:errorHeader': 'Prefer',
    });
  }
  if (state.options.requireTransientHeader && !prefer.split(/[,;\s]+/).includes('transient')) {
    throw nsError(400, 'INVALID_HEADER', 'The Prefer: transient header is required for SuiteQL queries.', {
      'o:errorHeader': 'Prefer',
    });
  }
  const type = mediaType(call.req);
  if (type !== 'application/json' && type !== '') {
    throw nsError(415, 'INVALID_HEADER', 'The Content-Type header must be application/json.', {
      'o:errorHeader': 'Content-Type',
    });
  }
  const { limit, offset } = paging(call);
  let body: unknown;
  try {
    body = JSON.parse((await call.body()).toString('utf8'));
  } catch {
    throw nsError(400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
  }
  const q = (body as { q?: unknown } | null)?.q;
  const params = (body as { params?: unknown } | null)?.params;
  if (typeof q !== 'string' || q.trim() === '' || q.length > 100_000) {
    throw nsError(400, 'INVALID_CONTENT', 'The request body must be {"q": "<SuiteQL query>"}.', {
      'o:errorPath': 'q',
    });
  }
  if (
    params !== undefined &&
    (!Array.isArray(params) ||
      params.length > 1000 ||
      params.some((p) => !['string', 'number'].includes(typeof p)))
  ) {
    throw nsError(400, 'INVALID_CONTENT', 'params must be an array of strings or numbers.', {
      'o:errorPath': 'params',
    });
  }
  const trimmed = q.trim().replace(/;\s*$/, '');
  if (!/^(select|with)\b/i.test(trimmed) || trimmed.includes(';')) {
    throw invalidQuery('Only a single SELECT statement can be run.');
  }
  // A table or column the role cannot see is one that does not exist (UNCONFIRMED), and `SELECT *` leaves it out.
  const hidden = hiddenSuiteqlNames(state.store.typeDefs(), call.roleId);
  if (hidden.tables.size > 0 || hidden.columns.size > 0) {
    const words = trimmed
      .split(/('(?:[^']|'')*')/)
      .filter((_, i) => i % 2 === 0)
      .join(' ')
      .toLowerCase()
      .match(/[a-z_][a-z0-9_]*/g);
    for (const word of new Set(words ?? [])) {
      if (hidden.tables.has(word)) throw invalidQuery(`Record '${word}' was not found.`);
      if (hidden.columns.has(word)) throw invalidQuery(`Field '${word}' was not found.`);
    }
  }
  const sql = rownum(translate(trimmed));
  const bind = (params ?? []) as Array<string | number>;
  const cap = state.options.suiteqlMaxRows;
  let outcome: SuiteqlOutcome;
  try {
    outcome = await runSuiteql(
      state.store.db,
      { sql, bind, limit, offset, cap },
      state.options.suiteqlTimeoutMs,
    );
  } catch (error) {
    if (!(error instanceof SuiteqlBudgetExceeded)) throw error;
    // What NetSuite answers for a query that runs too long is UNCONFIRMED (see the README).
    throw nsError(
      400,
      'SSS_SEARCH_TIMEOUT',
      `Search error occurred: the query did not finish within ${state.options.suiteqlTimeoutMs} ms. Narrow it down.`,
    );
  }
  if (outcome.kind === 'sql-error') throw invalidQuery(outcome.message.replace(/\s+/g, ' '));
  if (outcome.kind === 'beyond-cap') {
    throw nsError(
      400,
      'INVALID_PARAMETER',
      `SuiteQL returns at most ${cap} rows; narrow the query (for example by id ranges).`,
      { 'o:errorQueryParam': 'offset' },
    );
  }
  if (outcome.kind === 'out-of-bounds') return offsetOutOfBounds();
  const total = outcome.total;
  const reachable = Math.min(total, cap);
  const columns = outcome.columns.map((c) => c.toLowerCase());
  const rows = outcome.rows;
  const hasMore = offset + rows.length < reachable;
  const dateCols = state.store.dateColumns;
  const items = rows.map((row) => {
    const item: Record<string, unknown> = { links: [] };
    row.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const col = columns[i] as string;
      if (hidden.columns.has(col)) return;
      const text = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v);
      item[col] = dateCols.has(col) ? formatDate(text) : text;
    });
    return item;
  });
  const base = `${call.origin}/services/rest/query/v1/suiteql`;
  return jsonReply(200, {
    links: pageLinks(base, new URLSearchParams(), limit, offset, reachable, hasMore),
    count: items.length,
    hasMore,
    items,
    offset,
    totalResults: total,
  });
}
