import type { FieldDef, RecordTypeDef } from './schema.js';
import type { StoredRecord } from './store.js';

/** A `q` expression the emulator could not read; the caller answers 400 INVALID_PARAMETER. */
export class FilterError extends Error {}

type Value = string | number | boolean;
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cond'; field: FieldDef | 'id'; op: string; negate: boolean; values: Value[] };

const NUMBER_OPS = new Set([
  'ANY_OF',
  'BETWEEN',
  'EQUAL',
  'GREATER',
  'GREATER_OR_EQUAL',
  'LESS',
  'LESS_OR_EQUAL',
  'WITHIN',
]);
const STRING_OPS = new Set(['CONTAIN', 'IS', 'START_WITH', 'END_WITH', 'ENDWITH']);
const DATE_OPS = new Set(['AFTER', 'BEFORE', 'ON', 'ON_OR_AFTER', 'ON_OR_BEFORE', 'WITHIN']);
const BOOL_OPS = new Set(['IS']);

function tokenize(input: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
      tokens.push(c);
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let out = '';
      while (j < input.length && input[j] !== '"') {
        if (input[j] === '\\' && j + 1 < input.length) j++;
        out += input[j];
        j++;
      }
      if (j >= input.length) throw new FilterError('unterminated string');
      tokens.push(`"${out}`);
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !/[\s()[\],"]/.test(input[j] as string)) j++;
      tokens.push(input.slice(i, j));
      i = j;
    }
    if (tokens.length > 500) throw new FilterError('expression too long');
  }
  return tokens;
}

/** Parses NetSuite's record-collection filter (section_1545222128.html), a useful subset. */
export function parseFilter(input: string, def: RecordTypeDef): Node {
  if (input.length > 4000) throw new FilterError('expression too long');
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const t = tokens[pos++];
    if (t === undefined) throw new FilterError('unexpected end of expression');
    return t;
  };
  const fields = new Map(def.fields.map((f) => [f.name.toLowerCase(), f]));
  const value = (): Value => {
    const t = next();
    if (t.startsWith('"')) return t.slice(1);
    if (t === 'true' || t === 'false') return t === 'true';
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    if (/^[()[\],]$/.test(t)) throw new FilterError(`unexpected ${t}`);
    return t;
  };
  const atom = (depth: number): Node => {
    if (depth > 20) throw new FilterError('expression nested too deeply');
    if (peek() === '(') {
      next();
      const inner = expr(depth + 1);
      if (next() !== ')') throw new FilterError('missing )');
      return inner;
    }
    const name = next();
    const field = name.toLowerCase() === 'id' ? 'id' : fields.get(name.toLowerCase());
    if (!field)
      throw new FilterError(`Field '${name}' for record '${def.name}' was not found or cannot be filtered.`);
    const rawOp = next().toUpperCase();
    let op = rawOp;
    let negate = false;
    if (op === 'EMPTY_NOT' || (op.endsWith('_NOT') && op !== 'END_WITH_NOT')) {
      negate = true;
      op = op.slice(0, -4);
    } else if (op === 'END_WITH_NOT') {
      negate = true;
      op = 'END_WITH';
    }
    if (op === 'ENDWITH') op = 'END_WITH';
    const kind = field === 'id' ? 'integer' : field.kind;
    const allowed =
      op === 'EMPTY'
        ? true
        : kind === 'boolean'
          ? BOOL_OPS.has(op)
          : kind === 'string'
            ? STRING_OPS.has(op)
            : kind === 'enum'
              ? op === 'ANY_OF' || op === 'IS'
              : kind === 'date' || kind === 'datetime'
                ? DATE_OPS.has(op)
                : NUMBER_OPS.has(op);
    if (!allowed) throw new FilterError(`Operator ${rawOp} cannot be used with the field ${name}.`);
    const values: Value[] = [];
    if (op !== 'EMPTY') {
      if (peek() === '[') {
        next();
        while (peek() !== ']') {
          values.push(value());
          if (peek() === ',') next();
          else if (peek() !== ']') throw new FilterError('expected , or ]');
        }
        next();
      } else {
        values.push(value());
      }
      const arity = op === 'BETWEEN' || op === 'WITHIN' ? 2 : op === 'ANY_OF' ? -1 : 1;
      if ((arity > 0 && values.length !== arity) || values.length === 0) {
        throw new FilterError(`Operator ${rawOp} takes ${arity === 2 ? 'two values' : 'a value'}.`);
      }
    }
    if (kind === 'boolean' && typeof values[0] !== 'boolean')
      throw new FilterError(`${name} takes true or false.`);
    if (kind === 'integer' || kind === 'float' || kind === 'ref') {
      for (const v of values) if (typeof v !== 'number') throw new FilterError(`${name} takes numbers.`);
    }
    if (kind === 'date' || kind === 'datetime') {
      for (let k = 0; k < values.length; k++) values[k] = parseDate(String(values[k]));
    }
    return { kind: 'cond', field, op, negate, values };
  };
  const conj = (depth: number): Node => {
    let left = atom(depth);
    while (peek()?.toUpperCase() === 'AND') {
      next();
      left = { kind: 'and', left, right: atom(depth) };
    }
    return left;
  };
  const expr = (depth: number): Node => {
    let left = conj(depth);
    while (peek()?.toUpperCase() === 'OR') {
      next();
      left = { kind: 'or', left, right: conj(depth) };
    }
    return left;
  };
  const tree = expr(0);
  if (pos !== tokens.length) throw new FilterError(`unexpected ${tokens[pos]}`);
  return tree;
}

function parseDate(text: string): number {
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (m) return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]));
  m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  throw new FilterError(`Unparseable date: "${text}"`);
}

export function matches(node: Node, rec: StoredRecord): boolean {
  if (node.kind !== 'cond') {
    return node.kind === 'and'
      ? matches(node.left, rec) && matches(node.right, rec)
      : matches(node.left, rec) || matches(node.right, rec);
  }
  const raw = node.field === 'id' ? rec.id : rec.fields[node.field.name];
  return test(node, raw) !== node.negate;
}

function test(node: Extract<Node, { kind: 'cond' }>, raw: unknown): boolean {
  const { op, values } = node;
  if (op === 'EMPTY') return raw === undefined || raw === null || raw === '';
  if (raw === undefined || raw === null) return false;
  const kind = node.field === 'id' ? 'integer' : node.field.kind;
  if (kind === 'boolean') return raw === values[0];
  if (kind === 'enum') {
    const s = String(raw).toLowerCase();
    return values.some((v) => String(v).toLowerCase() === s);
  }
  if (kind === 'string') {
    const s = String(raw).toLowerCase();
    const v = String(values[0]).toLowerCase();
    if (op === 'IS') return s === v;
    if (op === 'CONTAIN') return s.includes(v);
    if (op === 'START_WITH') return s.startsWith(v);
    return s.endsWith(v);
  }
  let n = Number(raw);
  if (kind === 'date' || kind === 'datetime') {
    const d = new Date(String(raw));
    n = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  }
  const [a, b] = values as number[];
  switch (op) {
    case 'EQUAL':
    case 'ON':
      return n === a;
    case 'ANY_OF':
      return (values as number[]).includes(n);
    case 'GREATER':
    case 'AFTER':
      return n > (a as number);
    case 'GREATER_OR_EQUAL':
    case 'ON_OR_AFTER':
      return n >= (a as number);
    case 'LESS':
    case 'BEFORE':
      return n < (a as number);
    case 'LESS_OR_EQUAL':
    case 'ON_OR_BEFORE':
      return n <= (a as number);
    case 'BETWEEN':
    case 'WITHIN':
      return n >= Math.min(a as number, b as number) && n <= Math.max(a as number, b as number);
    default:
      return false;
  }
}
