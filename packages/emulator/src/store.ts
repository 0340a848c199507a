import type { Database, SqlValue, Statement } from 'sql.js';
import { columnOf, type FieldDef, RECORD_TYPE_BY_NAME, RECORD_TYPES, type RecordTypeDef } from './schema.js';
import { invalidateSuiteqlCopy } from './suiteql-worker.js';

/** One line of a transaction's `item` sublist. */
export interface ItemLine {
  line: number;
  item: number;
  quantity: number;
  rate: number;
  amount: number;
  description?: string | undefined;
}

export interface StoredRecord {
  readonly id: number;
  readonly type: string;
  fields: Record<string, unknown>;
  lines: ItemLine[];
}

/** A record body the store refused; the caller turns it into a NetSuite error. */
export class RecordValidationError extends Error {
  constructor(
    readonly errorCode: string,
    readonly detail: string,
    readonly path?: string,
  ) {
    super(detail);
  }
}

export type NameValidation = 'ignore' | 'warning' | 'error';

export interface WriteOptions {
  readonly nameValidation?: NameValidation | undefined;
  /** Fields the writer's role cannot see: written, they are unknown fields (UNCONFIRMED). */
  readonly hidden?: ReadonlySet<string> | undefined;
  /** Sublists to replace instead of merge (`?replace=item`). */
  readonly replace?: ReadonlySet<string> | undefined;
}

const REF_NAMES: Record<string, string> = { subsidiary: 'Parent Company' };

function sqlType(field: FieldDef): string {
  if (field.kind === 'float') return 'REAL';
  if (field.kind === 'integer' || field.kind === 'ref') return 'INTEGER';
  return 'TEXT';
}

interface TableInfo {
  readonly columns: string[];
  readonly insert: Statement;
  readonly remove: Statement;
}

/**
 * Records of every type, held as objects (what the Record API serves) and mirrored row by row into an
 * in-memory SQLite database (what SuiteQL queries), so both APIs always see the same data.
 */
export class RecordStore {
  private readonly byType = new Map<string, Map<number, StoredRecord>>();
  private readonly byExternalId = new Map<string, Map<string, number>>();
  private readonly sortedIds = new Map<string, number[]>();
  /** Next internal id per family (entity, item, transaction) or per custom record type. */
  private readonly nextId = new Map<string, number>();
  /** Record types with the custom fields and custom record types added through the admin API. */
  private readonly defs = new Map<string, RecordTypeDef>(RECORD_TYPE_BY_NAME);
  private tables = new Map<string, TableInfo>();
  private insertLine!: Statement;
  private deleteLines!: Statement;
  /** SQL column names holding dates, formatted as NetSuite does in SuiteQL output. */
  readonly dateColumns = new Set<string>();

  constructor(
    readonly db: Database,
    private readonly now: () => number,
  ) {
    this.createSchema();
  }

  private createSchema(): void {
    const tableColumns = new Map<string, Map<string, string>>();
    for (const def of RECORD_TYPES) {
      this.byType.set(def.name, new Map());
      this.byExternalId.set(def.name, new Map());
      const cols = tableColumns.get(def.table) ?? new Map<string, string>([['id', 'INTEGER PRIMARY KEY']]);
      for (const c of Object.keys(def.constants)) cols.set(c, 'TEXT');
      for (const f of def.fields) {
        cols.set(columnOf(f), sqlType(f));
        if (f.kind === 'date' || f.kind === 'datetime') this.dateColumns.add(columnOf(f));
      }
      tableColumns.set(def.table, cols);
    }
    // The database lives in memory: a rollback journal per write (sql.js keeps it in its in-memory file system)
    // only costs time.
    const ddl: string[] = ['PRAGMA journal_mode = MEMORY;'];
    for (const [table, cols] of tableColumns) {
      ddl.push(`CREATE TABLE "${table}" (${[...cols].map(([c, t]) => `"${c}" ${t}`).join(', ')});`);
    }
    ddl.push(
      'CREATE TABLE transactionline (id INTEGER PRIMARY KEY, "transaction" INTEGER, linesequencenumber INTEGER, item INTEGER, quantity REAL, rate REAL, netamount REAL, memo TEXT);',
      'CREATE INDEX transactionline_txn ON transactionline("transaction");',
      'CREATE TABLE subsidiary (id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT);',
      "INSERT INTO subsidiary VALUES (1, 'Parent Company', 'F');",
      // NetSuite's role table (SuiteQL): the roles of the login users, so a role id can be shown by name.
      'CREATE TABLE role (id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT);',
    );
    this.db.run(ddl.join('\n'));
    for (const [table, cols] of tableColumns) this.prepareTable(table, [...cols.keys()]);
    this.insertLine = this.db.prepare(
      'INSERT INTO transactionline (id, "transaction", linesequencenumber, item, quantity, rate, netamount, memo) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.deleteLines = this.db.prepare('DELETE FROM transactionline WHERE "transaction" = ?');
  }

  /** Adds (or renames) a role in the `role` table SuiteQL reads. */
  putRole(id: number, name: string): void {
    this.db.run("INSERT OR REPLACE INTO role (id, name, isinactive) VALUES (?, ?, 'F')", [id, name]);
  }

  typeDef(type: string): RecordTypeDef | undefined {
    return this.defs.get(type);
  }

  /** Every record type served, the built-in ones first, then custom record types in the order they were added. */
  typeDefs(): RecordTypeDef[] {
    return [...this.defs.values()];
  }

  /**
   * Adds a custom field to a record type: a new SQL column (existing records hold null) that the Record API,
   * SuiteQL and the metadata catalog all see at once.
   */
  addField(type: string, field: FieldDef): RecordTypeDef {
    const def = this.mustDef(type);
    const column = columnOf(field);
    const table = this.tables.get(def.table);
    if (table && !table.columns.includes(column)) {
      this.db.run(`ALTER TABLE "${def.table}" ADD COLUMN "${column}" ${sqlType(field)}`);
      this.prepareTable(def.table, [...table.columns, column]);
    }
    if (field.kind === 'date' || field.kind === 'datetime') this.dateColumns.add(column);
    const next: RecordTypeDef = { ...def, fields: [...def.fields, field] };
    this.defs.set(type, next);
    // Every type on the shared table gets a new column plan; only this one a new field map.
    this.fieldMaps.delete(type);
    for (const other of this.defs.values())
      if (other.table === def.table) this.columnPlans.delete(other.name);
    this.schemaChanged();
    return next;
  }

  /** Adds a custom record type with its own table (named by its script id, as SuiteQL names it). */
  addType(def: RecordTypeDef): void {
    const cols = new Map<string, string>([['id', 'INTEGER PRIMARY KEY']]);
    for (const f of def.fields) {
      cols.set(columnOf(f), sqlType(f));
      if (f.kind === 'date' || f.kind === 'datetime') this.dateColumns.add(columnOf(f));
    }
    this.db.run(`CREATE TABLE "${def.table}" (${[...cols].map(([c, t]) => `"${c}" ${t}`).join(', ')})`);
    this.prepareTable(def.table, [...cols.keys()]);
    this.defs.set(def.name, def);
    this.byType.set(def.name, new Map());
    this.byExternalId.set(def.name, new Map());
    this.schemaChanged();
  }

  // SuiteQL's worker holds a copy of the database, refreshed on row changes only: a new column must refresh it too.
  private schemaChanged(): void {
    invalidateSuiteqlCopy(this.db);
  }

  private prepareTable(table: string, names: string[]): void {
    const old = this.tables.get(table);
    old?.insert.free();
    old?.remove.free();
    this.tables.set(table, {
      columns: names,
      insert: this.db.prepare(
        `INSERT OR REPLACE INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      ),
      remove: this.db.prepare(`DELETE FROM "${table}" WHERE id = ?`),
    });
  }

  get(type: string, id: number): StoredRecord | undefined {
    return this.byType.get(type)?.get(id);
  }

  findByExternalId(type: string, externalId: string): StoredRecord | undefined {
    const id = this.byExternalId.get(type)?.get(externalId);
    return id === undefined ? undefined : this.get(type, id);
  }

  /** All ids of a type in ascending order (cached until the next write). */
  ids(type: string): number[] {
    let ids = this.sortedIds.get(type);
    if (!ids) {
      ids = [...(this.byType.get(type)?.keys() ?? [])].sort((a, b) => a - b);
      this.sortedIds.set(type, ids);
    }
    return ids;
  }

  count(type: string): number {
    return this.byType.get(type)?.size ?? 0;
  }

  /** Finds a record of any type by family and id (refs point at a type, but ids are per family). */
  refName(refType: string, id: number): string | undefined {
    if (refType in REF_NAMES) return id === 1 ? REF_NAMES[refType] : undefined;
    const def = this.typeDef(refType);
    const rec = this.get(refType, id);
    if (!def || !rec) return undefined;
    const value = rec.fields[def.refNameField];
    return typeof value === 'string' ? value : String(id);
  }

  create(
    type: string,
    input: Record<string, unknown>,
    options: WriteOptions = {},
  ): { id: number; warnings: string[] } {
    const def = this.mustDef(type);
    const warnings: string[] = [];
    const fields = this.normalise(def, input, options, warnings, true);
    const lines = def.hasLines ? this.normaliseLines(input.item, [], true) : [];
    this.checkRequired(def, fields, lines);
    const externalId = fields.externalId;
    if (typeof externalId === 'string' && this.byExternalId.get(type)?.has(externalId)) {
      throw new RecordValidationError(
        'DUP_RCRD',
        `A ${type} record with externalId ${externalId} already exists.`,
        'externalId',
      );
    }
    const sequence = def.family === 'custom' ? def.name : def.family;
    const id = this.nextId.get(sequence) ?? 1;
    this.nextId.set(sequence, id + 1);
    const stamp = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const f of def.fields) {
      if (f.kind === 'datetime' && f.readOnly) fields[f.name] = stamp;
    }
    this.applyDefaults(def, id, fields, lines);
    const rec: StoredRecord = { id, type, fields, lines };
    this.byType.get(type)?.set(id, rec);
    if (typeof externalId === 'string') this.byExternalId.get(type)?.set(externalId, id);
    this.sortedIds.delete(type);
    this.journal?.push({ type, id });
    this.mirror(def, rec);
    return { id, warnings };
  }

  update(
    type: string,
    id: number,
    input: Record<string, unknown>,
    options: WriteOptions = {},
  ): { warnings: string[] } {
    const def = this.mustDef(type);
    const rec = this.get(type, id);
    if (!rec) throw new RecordValidationError('NONEXISTENT_ID', 'Record does not exist.');
    const warnings: string[] = [];
    const patch = this.normalise(def, input, options, warnings, false);
    const oldExternal = rec.fields.externalId;
    const nextExternal = 'externalId' in patch ? patch.externalId : oldExternal;
    if (typeof nextExternal === 'string' && nextExternal !== oldExternal) {
      const other = this.byExternalId.get(type)?.get(nextExternal);
      if (other !== undefined && other !== id) {
        throw new RecordValidationError(
          'DUP_RCRD',
          `A ${type} record with externalId ${nextExternal} already exists.`,
          'externalId',
        );
      }
    }
    const fields = { ...rec.fields };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete fields[k];
      else fields[k] = v;
    }
    let lines = rec.lines;
    if (def.hasLines && 'item' in input) {
      lines = this.normaliseLines(input.item, options.replace?.has('item') ? [] : rec.lines, false);
    }
    this.checkRequired(def, fields, lines);
    for (const f of def.fields) {
      if (f.name === 'lastModifiedDate' || (def.family === 'custom' && f.name === 'lastModified'))
        fields[f.name] = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    if (def.hasLines) fields.total = round2(lines.reduce((s, l) => s + l.amount, 0));
    rec.fields = fields;
    rec.lines = lines;
    const eids = this.byExternalId.get(type);
    if (typeof oldExternal === 'string' && oldExternal !== fields.externalId) eids?.delete(oldExternal);
    if (typeof fields.externalId === 'string') eids?.set(fields.externalId, id);
    this.mirror(def, rec);
    return { warnings };
  }

  delete(type: string, id: number): boolean {
    const def = this.mustDef(type);
    const rec = this.get(type, id);
    if (!rec) return false;
    this.byType.get(type)?.delete(id);
    if (typeof rec.fields.externalId === 'string') this.byExternalId.get(type)?.delete(rec.fields.externalId);
    this.sortedIds.delete(type);
    this.tables.get(def.table)?.remove.run([id]);
    if (def.hasLines) this.deleteLines.run([id]);
    return true;
  }

  /** Runs many writes in one SQL transaction (seeding 150k rows takes seconds instead of minutes). */
  batch<T>(fn: () => T): T {
    this.db.run('BEGIN');
    this.journal = [];
    try {
      const out = fn();
      this.db.run('COMMIT');
      return out;
    } catch (error) {
      // All or nothing: drop the objects created so far, as the SQL rollback drops their rows.
      for (const { type, id } of this.journal) {
        const rec = this.get(type, id);
        this.byType.get(type)?.delete(id);
        if (typeof rec?.fields.externalId === 'string')
          this.byExternalId.get(type)?.delete(rec.fields.externalId);
        this.sortedIds.delete(type);
      }
      this.db.run('ROLLBACK');
      throw error;
    } finally {
      this.journal = undefined;
    }
  }

  private journal: Array<{ type: string; id: number }> | undefined;

  private mustDef(type: string): RecordTypeDef {
    const def = this.typeDef(type);
    if (!def) throw new RecordValidationError('INVALID_RECORD_TYPE', `Record type '${type}' does not exist.`);
    return def;
  }

  private normalise(
    def: RecordTypeDef,
    input: Record<string, unknown>,
    options: WriteOptions,
    warnings: string[],
    creating: boolean,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const byName = this.fieldMap(def);
    for (const [key, value] of Object.entries(input)) {
      if (key === 'id' || key === 'links' || (def.hasLines && key === 'item')) continue;
      const field = options.hidden?.has(key) ? undefined : byName.get(key);
      if (!field) {
        const mode = options.nameValidation ?? 'warning';
        if (mode === 'error') {
          throw new RecordValidationError(
            'NONEXISTENT_FIELD',
            `Field '${key}' does not exist on ${def.name}.`,
            key,
          );
        }
        if (mode === 'warning') warnings.push(`Unknown field '${key}' was ignored.`);
        continue;
      }
      if (field.readOnly) continue;
      if (value === null) {
        if (!creating) out[key] = null;
        continue;
      }
      out[key] = this.checkValue(field, value, key);
    }
    return out;
  }

  private checkValue(field: FieldDef, value: unknown, path: string): unknown {
    const bad = (): never => {
      throw new RecordValidationError(
        'INVALID_CONTENT',
        `Invalid value for the field ${field.name}: expected ${field.kind}.`,
        path,
      );
    };
    switch (field.kind) {
      case 'string':
        if (typeof value !== 'string' || value.length > 4000) bad();
        if (field.name === 'externalId' && !/^[A-Za-z0-9_.-]{1,255}$/.test(value as string)) {
          throw new RecordValidationError(
            'INVALID_CONTENT',
            'externalId may contain only letters, digits, _, - and . (at most 255 characters).',
            path,
          );
        }
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') bad();
        return value;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) bad();
        return value;
      case 'float':
        if (typeof value !== 'number' || !Number.isFinite(value)) bad();
        return value;
      case 'date': {
        if (typeof value !== 'string') bad();
        const m = /^(\d{4}-\d{2}-\d{2})(?:T.*)?$/.exec(value as string);
        if (!m || Number.isNaN(Date.parse(m[1] as string))) bad();
        return (m as RegExpExecArray)[1];
      }
      case 'datetime':
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) bad();
        return new Date(Date.parse(value as string)).toISOString().replace(/\.\d{3}Z$/, 'Z');
      case 'enum': {
        // NetSuite accepts { id } or { refName } on write (and the bare id with simpleEnumFormat).
        const options = field.options ?? {};
        let id: string | undefined;
        if (typeof value === 'string') id = value;
        else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          const v = value as { id?: unknown; refName?: unknown };
          if (typeof v.id === 'string') id = v.id;
          else if (typeof v.refName === 'string') {
            const wanted = v.refName.toLowerCase();
            id = Object.keys(options).find((k) => options[k]?.toLowerCase() === wanted);
          }
        }
        if (id === undefined || !(id in options)) {
          throw new RecordValidationError(
            'INVALID_CONTENT',
            `Invalid value for the field ${field.name}.`,
            path,
          );
        }
        return id;
      }
      case 'ref': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) bad();
        const raw = (value as { id?: unknown; externalId?: unknown }).id;
        let id: number | undefined;
        if (typeof raw === 'string' && /^\d{1,15}$/.test(raw)) id = Number(raw);
        else if (typeof raw === 'number' && Number.isSafeInteger(raw)) id = raw;
        const ext = (value as { externalId?: unknown }).externalId;
        if (id === undefined && typeof ext === 'string' && field.refType)
          id = this.findByExternalId(field.refType, ext)?.id;
        if (id === undefined || this.refName(field.refType ?? '', id) === undefined) {
          throw new RecordValidationError(
            'INVALID_CONTENT',
            `Invalid reference for the field ${field.name}: the ${field.refType} does not exist.`,
            path,
          );
        }
        return id;
      }
    }
  }

  private normaliseLines(raw: unknown, existing: ItemLine[], creating: boolean): ItemLine[] {
    if (raw === undefined) return creating ? [] : existing;
    if (raw === null) return [];
    let items: unknown = raw;
    if (typeof raw === 'object' && !Array.isArray(raw)) items = (raw as { items?: unknown }).items;
    if (items === null) return [];
    if (!Array.isArray(items) || items.length > 1000) {
      throw new RecordValidationError('INVALID_CONTENT', 'The item sublist must be {"items":[…]}.', 'item');
    }
    const lines = existing.map((l) => ({ ...l }));
    let next = lines.reduce((m, l) => Math.max(m, l.line), 0) + 1;
    items.forEach((entry, index) => {
      const path = `item.items[${index}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new RecordValidationError('INVALID_CONTENT', 'Each item line must be an object.', path);
      }
      const e = entry as Record<string, unknown>;
      const target = typeof e.line === 'number' ? lines.find((l) => l.line === e.line) : undefined;
      const itemId =
        e.item === undefined && target
          ? target.item
          : (this.checkValue(
              { name: 'item', kind: 'ref', refType: 'inventoryItem' },
              e.item,
              `${path}.item`,
            ) as number);
      const num = (key: string, fallback: number): number => {
        const v = e[key];
        if (v === undefined) return fallback;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new RecordValidationError(
            'INVALID_CONTENT',
            `Invalid value for the field ${key}: expected float.`,
            `${path}.${key}`,
          );
        }
        return v;
      };
      const quantity = num('quantity', target?.quantity ?? 1);
      const basePrice = this.get('inventoryItem', itemId)?.fields.basePrice;
      const rate = num('rate', target?.rate ?? (typeof basePrice === 'number' ? basePrice : 0));
      const line: ItemLine = {
        line: target?.line ?? next++,
        item: itemId,
        quantity,
        rate,
        amount: round2(quantity * rate),
      };
      const desc = e.description ?? target?.description;
      if (typeof desc === 'string') line.description = desc;
      if (target) Object.assign(target, line);
      else lines.push(line);
    });
    return lines;
  }

  private checkRequired(def: RecordTypeDef, fields: Record<string, unknown>, lines: ItemLine[]): void {
    const missing = (label: string, path: string): never => {
      throw new RecordValidationError('USER_ERROR', `Please enter value(s) for: ${label}`, path);
    };
    if ((def.name === 'customer' || def.name === 'vendor') && !fields.companyName && !fields.isPerson) {
      missing('Company Name', 'companyName');
    }
    if (def.name === 'customer' && fields.isPerson && !fields.lastName && !fields.companyName)
      missing('Last Name', 'lastName');
    if (
      (def.name === 'contact' || def.name === 'employee') &&
      !fields.firstName &&
      !fields.lastName &&
      !fields.entityId
    ) {
      missing('Name', 'firstName');
    }
    if (def.name === 'inventoryItem' && !fields.itemId) missing('Item Name/Number', 'itemId');
    if (def.family === 'custom' && !fields.name) missing('Name', 'name');
    if (def.hasLines) {
      if (fields.entity === undefined) missing('Customer', 'entity');
      if (lines.length === 0)
        throw new RecordValidationError(
          'USER_ERROR',
          'You must enter at least one line item for this transaction.',
          'item',
        );
    }
  }

  private applyDefaults(
    def: RecordTypeDef,
    id: number,
    fields: Record<string, unknown>,
    lines: ItemLine[],
  ): void {
    if (def.family === 'entity') {
      if (fields.entityId === undefined) {
        const name = [fields.firstName, fields.lastName].filter((x) => typeof x === 'string').join(' ');
        fields.entityId =
          (fields.companyName as string | undefined) ?? (name || `${def.name.toUpperCase()}${id}`);
      }
      if (fields.subsidiary === undefined && def.fields.some((f) => f.name === 'subsidiary'))
        fields.subsidiary = 1;
      if (fields.isPerson === undefined && def.name === 'customer') fields.isPerson = false;
    }
    if (fields.isInactive === undefined && def.fields.some((f) => f.name === 'isInactive'))
      fields.isInactive = false;
    if (def.fields.some((f) => f.name === 'balance') && fields.balance === undefined) fields.balance = 0;
    if (def.hasLines) {
      if (fields.tranId === undefined) fields.tranId = `${def.name === 'invoice' ? 'INV' : 'SO'}${id}`;
      if (fields.tranDate === undefined) fields.tranDate = new Date(this.now()).toISOString().slice(0, 10);
      if (fields.status === undefined) fields.status = def.name === 'invoice' ? 'A' : 'B';
      fields.total = round2(lines.reduce((s, l) => s + l.amount, 0));
    }
  }

  private readonly fieldMaps = new Map<string, Map<string, FieldDef>>();
  private readonly columnPlans = new Map<string, Array<{ constant?: string; field?: string; id?: true }>>();

  private fieldMap(def: RecordTypeDef): Map<string, FieldDef> {
    let map = this.fieldMaps.get(def.name);
    if (!map) {
      map = new Map(def.fields.map((f) => [f.name, f]));
      this.fieldMaps.set(def.name, map);
    }
    return map;
  }

  private mirror(def: RecordTypeDef, rec: StoredRecord): void {
    const table = this.tables.get(def.table);
    if (!table) return;
    let plan = this.columnPlans.get(def.name);
    if (!plan) {
      plan = table.columns.map((col) => {
        if (col === 'id') return { id: true as const };
        const constant = def.constants[col];
        if (constant !== undefined) return { constant };
        const field = def.fields.find((f) => columnOf(f) === col);
        return field ? { field: field.name } : {};
      });
      this.columnPlans.set(def.name, plan);
    }
    const values: SqlValue[] = plan.map((step) => {
      if (step.id) return rec.id;
      if (step.constant !== undefined) return step.constant;
      if (step.field === undefined) return null;
      const v = rec.fields[step.field];
      if (v === undefined || v === null) return null;
      if (typeof v === 'boolean') return v ? 'T' : 'F';
      return v as SqlValue;
    });
    table.insert.run(values);
    if (def.hasLines) {
      this.deleteLines.run([rec.id]);
      for (const l of rec.lines) {
        this.insertLine.run([rec.id, l.line, l.item, l.quantity, l.rate, l.amount, l.description ?? null]);
      }
    }
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
