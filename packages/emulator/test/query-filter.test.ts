import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterError, matches, parseFilter } from '../src/query-filter.js';
import { RECORD_TYPE_BY_NAME } from '../src/schema.js';
import type { StoredRecord } from '../src/store.js';

const customer = RECORD_TYPE_BY_NAME.get('customer')!;
const rec = (id: number, fields: Record<string, unknown>): StoredRecord => ({
  id,
  type: 'customer',
  fields,
  lines: [],
});
const a = rec(1, {
  companyName: 'Another Company',
  email: 'A@example.com',
  isInactive: false,
  creditLimit: 500,
  dateCreated: '2024-03-05T10:00:00Z',
});
const b = rec(2, {
  companyName: 'Beta',
  isInactive: true,
  creditLimit: 1500,
  dateCreated: '2019-01-01T00:00:00Z',
});
const run = (q: string) => [a, b].filter((r) => matches(parseFilter(q, customer), r)).map((r) => r.id);

describe('q filter', () => {
  it.each([
    ['companyName START_WITH "Another Company"', [1]],
    ['companyname IS beta', [2]],
    ['email CONTAIN example', [1]],
    ['email EMPTY', [2]],
    ['email EMPTY_NOT', [1]],
    ['isInactive IS true', [2]],
    ['isInactive IS_NOT true', [1]],
    ['creditLimit GREATER 1000', [2]],
    ['creditLimit GREATER_NOT 1000', [1]],
    ['creditLimit BETWEEN [100, 600]', [1]],
    ['creditLimit BETWEEN_NOT [100, 600]', [2]],
    ['id ANY_OF [2, 3]', [2]],
    ['id ANY_OF_NOT [2, 3]', [1]],
    ['companyName ENDWITH "pany"', [1]],
    ['companyName END_WITH_NOT "pany"', [2]],
    ['dateCreated ON_OR_AFTER "1/1/2020"', [1]],
    ['dateCreated ON "2019-01-01"', [2]],
    ['dateCreated WITHIN ["1/1/2019", "12/31/2019"]', [2]],
    ['id EQUAL 1 OR id EQUAL 2 AND isInactive IS false', [1]],
    ['(id EQUAL 1 OR id EQUAL 2) AND isInactive IS false', [1]],
  ])('%s', (q, ids) => {
    expect(run(q)).toEqual(ids);
  });

  it.each([
    ['unknown field', 'nope IS 1'],
    ['operator for another type', 'email GREATER 5'],
    ['missing value', 'id EQUAL'],
    ['BETWEEN with one value', 'id BETWEEN [1]'],
    ['unparseable date', 'dateCreated ON "tomorrow"'],
    ['unbalanced parenthesis', '(id EQUAL 1'],
    ['trailing junk', 'id EQUAL 1 2'],
    ['unterminated string', 'email IS "abc'],
    ['boolean with a number', 'isInactive IS 1'],
  ])('refuses %s with a FilterError', (_name, q) => {
    expect(() => parseFilter(q, customer)).toThrow(FilterError);
  });

  it('never throws anything but FilterError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (q) => {
        try {
          const tree = parseFilter(q, customer);
          matches(tree, a);
        } catch (error) {
          expect(error).toBeInstanceOf(FilterError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses deep nesting and very long input', () => {
    expect(() => parseFilter(`${'('.repeat(50)}id EQUAL 1${')'.repeat(50)}`, customer)).toThrow(FilterError);
    expect(() => parseFilter('id EQUAL 1 OR '.repeat(400), customer)).toThrow(FilterError);
  });
});
