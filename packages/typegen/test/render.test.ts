import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { interfaceName, isTypegenError, renderRecordTypes } from '../src/index.js';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (isTypegenError(e) ? e.code : String(e)),
  );

describe('renderRecordTypes', () => {
  it('names interfaces after the record type and keeps every field optional', async () => {
    expect(interfaceName('customrecord_project')).toBe('CustomrecordProject');
    expect(interfaceName('salesOrder')).toBe('SalesOrder');
    const source = await renderRecordTypes(
      {
        customrecord_project: {
          type: 'object',
          properties: {
            name: { type: 'string', title: 'Name' },
            custrecord_budget: { type: 'number', title: 'Budget', 'x-ns-custom-field': true },
            custrecord_kind: { type: 'object', properties: { id: { type: 'string', enum: ['a', 'b"c'] } } },
            custrecord_owner: { type: 'object', $ref: 'https://example.invalid/x', title: 'Owner' },
            custrecord_odd: { type: 'null' },
          },
        },
      },
      { format: false },
    );
    expect(source).toMatch(/export interface CustomrecordProject \{/);
    expect(source).toMatch(/custrecord_budget\?: number/);
    expect(source).toContain('Budget. Custom field.');
    expect(source).toContain('custrecord_kind?: NsEnum<"a" | "b\\"c">');
    expect(source).toMatch(/custrecord_owner\?: NsRef/);
    expect(source).toMatch(/custrecord_odd\?: unknown/);
  });

  it('never follows a $ref: no request leaves the generator', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end('{"type":"object","properties":{}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await renderRecordTypes({
        customer: {
          type: 'object',
          properties: {
            a: { $ref: `http://127.0.0.1:${port}/services/rest/record/v1/metadata-catalog/vendor` },
            b: { type: 'array', items: { $ref: `http://127.0.0.1:${port}/other` } },
          },
        },
      });
    } finally {
      server.close();
    }
    expect(requests).toBe(0);
  });

  it('keeps labels and headers from ending a comment', async () => {
    const source = await renderRecordTypes(
      {
        customer: {
          type: 'object',
          title: 'x */ export const pwned = 1; /*',
          properties: { a: { type: 'string', title: '*/ evil()' } },
        },
      },
      { header: 'line\nbreak */ y' },
    );
    expect(source).not.toMatch(/\*\/ (export const pwned|evil|y)/);
    expect(source).not.toContain('\nbreak');
  });

  it('refuses bad input with typed errors', async () => {
    const ok = { type: 'object', properties: {} };
    expect(await codeOf(renderRecordTypes({}))).toBe('ERR_TYPEGEN_INVALID_ARGUMENT');
    expect(await codeOf(renderRecordTypes({ 'bad name': ok }))).toBe('ERR_TYPEGEN_INVALID_ARGUMENT');
    expect(await codeOf(renderRecordTypes({ customer: ok }, { mapName: 'lower' }))).toBe(
      'ERR_TYPEGEN_INVALID_ARGUMENT',
    );
    expect(await codeOf(renderRecordTypes({ customer: ok }, { mapName: 'NsRef' }))).toBe(
      'ERR_TYPEGEN_INVALID_ARGUMENT',
    );
    expect(await codeOf(renderRecordTypes({ customer: ok }, { format: 'yes' as never }))).toBe(
      'ERR_TYPEGEN_INVALID_ARGUMENT',
    );
    expect(await codeOf(renderRecordTypes({ customer: { type: 'object' } }))).toBe(
      'ERR_TYPEGEN_INVALID_SCHEMA',
    );
    expect(await codeOf(renderRecordTypes({ customer: [] as never }))).toBe('ERR_TYPEGEN_INVALID_SCHEMA');
  });

  it('two types whose names differ only in case get two interfaces', async () => {
    const ok = { type: 'object', properties: { a: { type: 'string' } } };
    const source = await renderRecordTypes({ customer: ok, Customer: ok }, { format: false });
    expect(source).toContain('export interface Customer ');
    expect(source).toContain('export interface Customer2 ');
  });
});
