/**
 * Functions SuiteQL has and SQLite lacks. Self-contained on purpose: the SuiteQL worker runs its source text.
 */
export function registerSuiteqlFunctions(db: import('sql.js').Database): void {
  db.create_function('BUILTIN_DF', (v: unknown) => v);
  db.create_function('NVL', (a: unknown, b: unknown) => (a === null || a === undefined ? b : a));
  db.create_function('TO_CHAR', (v: unknown) => (v === null ? null : String(v)));
  db.create_function('TO_NUMBER', (v: unknown) => (v === null ? null : Number(v)));
  db.create_function('TO_DATE', (v: unknown) => {
    if (typeof v !== 'string') return null;
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
    return m ? `${m[3]}-${String(m[1]).padStart(2, '0')}-${String(m[2]).padStart(2, '0')}` : v;
  });
}
