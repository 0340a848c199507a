import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createErrorGuard, isNetSuiteError, NetSuiteConfigError, NetSuiteError } from '../src/index.js';

class WidgetError extends NetSuiteError {
  declare readonly code: 'ERR_WIDGET_BROKEN' | 'ERR_WIDGET_GONE';
}
const isWidgetError = createErrorGuard<WidgetError>('ERR_WIDGET_');

function nodeError(): Error {
  try {
    new URL('not a url');
  } catch (error) {
    return error as Error;
  }
  throw new Error('unreachable');
}

describe('error brand and guards', () => {
  it("rejects Node's own ERR_* errors, which carry no brand", () => {
    const error = nodeError();
    expect((error as { code?: string }).code).toBe('ERR_INVALID_URL');
    expect(isNetSuiteError(error)).toBe(false);
    expect(isNetSuiteError(Object.assign(new Error('x'), { code: 'ERR_WIDGET_BROKEN' }))).toBe(false);
    expect(isWidgetError(Object.assign(new Error('x'), { code: 'ERR_WIDGET_BROKEN' }))).toBe(false);
  });

  it("accepts the project's errors, by prefix and by code", () => {
    const error = new WidgetError('ERR_WIDGET_BROKEN', 'widget broke');
    expect(isNetSuiteError(error)).toBe(true);
    expect(isNetSuiteError(error, 'ERR_WIDGET_BROKEN')).toBe(true);
    expect(isWidgetError(error)).toBe(true);
    expect(isWidgetError(error, 'ERR_WIDGET_BROKEN')).toBe(true);
    expect(isWidgetError(error, 'ERR_WIDGET_GONE')).toBe(false);
    expect(isWidgetError(new NetSuiteConfigError('ERR_CORE_INVALID_ORIGIN', 'bad origin'))).toBe(false);
    for (const value of [undefined, null, 'ERR_WIDGET_BROKEN', { code: 'ERR_WIDGET_BROKEN' }]) {
      expect(isWidgetError(value)).toBe(false);
    }
  });

  it('recognises an error of another copy of the package (the brand is a registered symbol)', async () => {
    // A query makes the module runner load a second, separate instance of the module.
    const specifier = '../src/errors.js?copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../src/errors.js');
    expect(copy.NetSuiteError).not.toBe(NetSuiteError);
    const foreign = new copy.NetSuiteError('ERR_WIDGET_GONE', 'from another copy');
    expect(foreign).not.toBeInstanceOf(NetSuiteError);
    expect(isNetSuiteError(foreign)).toBe(true);
    expect(isWidgetError(foreign, 'ERR_WIDGET_GONE')).toBe(true);
    expect(copy.isNetSuiteError(new WidgetError('ERR_WIDGET_GONE', 'here'))).toBe(true);
  });

  it('keeps the brand out of JSON, inspect and spreads', () => {
    const error = new WidgetError('ERR_WIDGET_BROKEN', 'widget broke');
    expect(JSON.stringify({ ...error })).toBe('{"code":"ERR_WIDGET_BROKEN","name":"NetSuiteError"}');
    expect(inspect(error)).not.toContain('netsuite-oauth.error');
    expect(Object.getOwnPropertySymbols({ ...error })).toEqual([]);
  });

  it('refuses a code prefix that is not ERR_… with ERR_CORE_INVALID_ARGUMENT', () => {
    for (const prefix of ['WIDGET_', 'err_x', '', 42]) {
      let caught: unknown;
      try {
        createErrorGuard(prefix as string);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(NetSuiteConfigError);
      expect((caught as NetSuiteConfigError).code).toBe('ERR_CORE_INVALID_ARGUMENT');
    }
  });
});
