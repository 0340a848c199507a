import { RecordClientError } from './errors.js';
import type { Transport } from './transport.js';
import { checkOptions, checkRecordType, checkSignal } from './validate.js';

const SCHEMA_JSON = 'application/schema+json';
const SWAGGER_JSON = 'application/swagger+json';
const DEFAULT_TTL_MS = 3_600_000;
const FILE_VERSION = 1;

/**
 * One entry of the metadata catalog: a record type's name and the links to its descriptions.
 *
 * @example
 * const names = (await client.metadata.catalog()).map((e: CatalogEntry) => e.name)
 */
export interface CatalogEntry {
  readonly name: string;
  readonly links: ReadonlyArray<{ readonly rel: string; readonly href: string; readonly mediaType?: string }>;
}

/**
 * A JSON Schema object as the metadata catalog sends it (`type`, `properties`, NetSuite's `x-ns-*` keywords).
 *
 * @example
 * const schema: JsonSchemaObject = await client.metadata.jsonSchema('customer')
 */
export interface JsonSchemaObject {
  readonly type?: string | undefined;
  readonly title?: string | undefined;
  readonly properties?: Readonly<Record<string, unknown>> | undefined;
  readonly [keyword: string]: unknown;
}

/**
 * An OpenAPI 3.0 document as the metadata catalog sends it.
 *
 * @example
 * const doc: OpenApiDocument = await client.metadata.openApi(['customer'])
 */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths?: Readonly<Record<string, unknown>> | undefined;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchemaObject>> } | undefined;
  readonly [key: string]: unknown;
}

/**
 * Where metadata answers are kept: in memory (the default) or in a JSON file that outlives the process, each
 * answer for `ttlMs`. The catalog is slow on a real account (a full catalog takes minutes) and changes only
 * when the account is customised. The catalog is personalised per role and the file is keyed by account only:
 * keep one file per credential (role).
 *
 * @example
 * createNetSuiteClient({ accountId, token, metadata: { cache: { file: '.netsuite/metadata.json', ttlMs: 86_400_000 } } })
 */
export type MetadataCacheOptions =
  | false
  | { readonly ttlMs?: number }
  | { readonly file: string; readonly ttlMs?: number };

/**
 * Options of the metadata API ({@link NetSuiteClientOptions.metadata}).
 *
 * @example
 * const metadata: MetadataOptions = { cache: { ttlMs: 600_000 } }
 */
export interface MetadataOptions {
  /** @default { ttlMs: 3600000 } (memory, one hour) */
  readonly cache?: MetadataCacheOptions | undefined;
}

/**
 * Options of one metadata call.
 *
 * @example
 * await client.metadata.jsonSchema('customer', { fresh: true, signal: AbortSignal.timeout(60_000) })
 */
export interface MetadataCallOptions {
  readonly signal?: AbortSignal | undefined;
  /** Skip the cache (the answer still refreshes it). @default false */
  readonly fresh?: boolean | undefined;
}

/**
 * Options of {@link MetadataApi.jsonSchemas}.
 *
 * @example
 * await client.metadata.jsonSchemas(types, { onProgress: (done, total) => console.log(`${done}/${total}`) })
 */
export interface JsonSchemasOptions extends MetadataCallOptions {
  /** Called after each type arrives. */
  readonly onProgress?: ((done: number, total: number, type: string) => void) | undefined;
}

/**
 * NetSuite's REST metadata catalog (chapter_1540810168): which record types the user's role sees and each type's
 * fields, custom fields included. Every request goes through the client's governance (limiter, retries), types
 * are fetched in parallel up to the concurrency limit, and answers are cached.
 *
 * @example
 * const names = (await client.metadata.catalog()).map((e) => e.name);
 * const schemas = await client.metadata.jsonSchemas(['customer', 'salesOrder']);
 */
export interface MetadataApi {
  /**
   * Lists the record types (`GET …/metadata-catalog`, section_1540810174).
   * @example const names = (await client.metadata.catalog()).map((e) => e.name);
   */
  catalog(options?: MetadataCallOptions): Promise<CatalogEntry[]>;
  /**
   * One record type's JSON Schema (`Accept: application/schema+json`, section_1545129726).
   * @example const { properties } = await client.metadata.jsonSchema('customer');
   * @throws {RecordClientError} `ERR_RECORD_INVALID_ARGUMENT` for a bad type name, `ERR_RECORD_API` (404) for an unknown type.
   */
  jsonSchema(type: string, options?: MetadataCallOptions): Promise<JsonSchemaObject>;
  /**
   * Many record types' JSON Schemas, fetched in parallel within the concurrency limit; the first failure stops
   * the rest and rejects.
   * @example const schemas = await client.metadata.jsonSchemas(['customer', 'salesOrder']);
   */
  jsonSchemas(
    types: readonly string[],
    options?: JsonSchemasOptions,
  ): Promise<Record<string, JsonSchemaObject>>;
  /**
   * An OpenAPI 3.0 document for some record types (`Accept: application/swagger+json`, `select=`, section_1545126526).
   * @example const doc = await client.metadata.openApi(['customer', 'salesOrder']);
   */
  openApi(types: readonly string[], options?: MetadataCallOptions): Promise<OpenApiDocument>;
  /**
   * Forgets every cached answer (the file too).
   * @example await client.metadata.clearCache();
   */
  clearCache(): Promise<void>;
}

interface CacheEntry {
  readonly storedAt: number;
  readonly value: unknown;
}

interface MetadataStore {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<void>;
  clear(): Promise<void>;
}

function cacheError(message: string, cause?: unknown): RecordClientError {
  return new RecordClientError(
    'ERR_RECORD_METADATA_CACHE',
    message,
    cause === undefined ? undefined : { cause },
  );
}

function memoryStore(): MetadataStore {
  const entries = new Map<string, CacheEntry>();
  return {
    get: async (key) => entries.get(key),
    set: async (key, entry) => {
      entries.set(key, entry);
    },
    clear: async () => entries.clear(),
  };
}

/**
 * A JSON file of answers for one account. It is read once; writes are coalesced (one write at a time, the last
 * state wins) and atomic (a temporary file renamed over the old one), so a crash leaves the old file or the new.
 * An unreadable file counts as empty: it is a cache.
 */
function fileStore(path: string, accountId: string): MetadataStore {
  let entries: Map<string, CacheEntry> | undefined;
  let loading: Promise<Map<string, CacheEntry>> | undefined;
  let writing: Promise<void> | undefined;
  let dirty = false;
  const load = (): Promise<Map<string, CacheEntry>> => {
    if (entries) return Promise.resolve(entries);
    loading ??= (async () => {
      const fs = await import('node:fs/promises');
      const map = new Map<string, CacheEntry>();
      try {
        const parsed = JSON.parse(await fs.readFile(path, 'utf8')) as {
          version?: unknown;
          accountId?: unknown;
          entries?: Record<string, CacheEntry> | undefined;
        };
        if (parsed.version === FILE_VERSION && parsed.accountId === accountId && parsed.entries) {
          for (const [key, entry] of Object.entries(parsed.entries)) {
            if (typeof entry?.storedAt === 'number') map.set(key, entry);
          }
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError))
          throw cacheError('metadata cache file could not be read', error);
      }
      entries = map;
      return map;
    })();
    return loading;
  };
  const flush = async (): Promise<void> => {
    const fs = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    while (dirty) {
      dirty = false;
      const body = JSON.stringify({
        version: FILE_VERSION,
        accountId,
        entries: Object.fromEntries(entries ?? []),
      });
      const tmp = `${path}.${crypto.randomUUID()}.tmp`;
      try {
        await fs.mkdir(dirname(path), { recursive: true });
        await fs.writeFile(tmp, body, { mode: 0o600 });
        await fs.rename(tmp, path);
      } catch (error) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw cacheError('metadata cache file could not be written', error);
      }
    }
  };
  const write = (): Promise<void> => {
    dirty = true;
    writing ??= flush().finally(() => {
      writing = undefined;
    });
    return writing;
  };
  return {
    get: async (key) => (await load()).get(key),
    set: async (key, entry) => {
      (await load()).set(key, entry);
      await write();
    },
    clear: async () => {
      (await load()).clear();
      await write();
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveCache(
  options: MetadataOptions | undefined,
  accountId: string,
): { store: MetadataStore | undefined; ttlMs: number } {
  const o = checkOptions(options, 'metadata');
  const cache = o.cache ?? {};
  if (cache === false) return { store: undefined, ttlMs: 0 };
  if (!isObject(cache))
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'metadata.cache must be an object or false');
  const ttlMs = cache.ttlMs ?? DEFAULT_TTL_MS;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'metadata.cache.ttlMs must be a positive number',
    );
  if ('file' in cache) {
    if (typeof cache.file !== 'string' || cache.file.length === 0 || cache.file.includes('\0'))
      throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'metadata.cache.file must be a file path');
    return { store: fileStore(cache.file, accountId), ttlMs };
  }
  return { store: memoryStore(), ttlMs };
}

/** What the metadata API needs from the client. */
export interface MetadataContext {
  readonly transport: Transport;
  readonly recordUrl: string;
  readonly accountId: string;
  readonly now: () => number;
  readonly options: MetadataOptions | undefined;
}

function checkTypes(types: unknown): string[] {
  if (!Array.isArray(types) || types.length === 0 || types.length > 5000)
    throw new RecordClientError(
      'ERR_RECORD_INVALID_ARGUMENT',
      'types must be a non-empty array of record type names',
    );
  return [...new Set(types.map((t) => checkRecordType(t, 'each type')))];
}

function checkCallOptions(options: MetadataCallOptions | undefined) {
  const o = checkOptions(options);
  if (o.fresh !== undefined && typeof o.fresh !== 'boolean')
    throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'fresh must be a boolean');
  return { signal: checkSignal(o.signal), fresh: o.fresh === true };
}

/** Builds `client.metadata`. */
export function createMetadataApi(context: MetadataContext): MetadataApi {
  const { transport, accountId, now } = context;
  const catalogUrl = `${context.recordUrl}/metadata-catalog`;
  const { store, ttlMs } = resolveCache(context.options, accountId);
  // Concurrent calls for the same answer share one request.
  const inFlight = new Map<string, Promise<unknown>>();

  async function fetchCached(
    key: string,
    request: { url: string; accept: string; query?: Record<string, string> },
    check: (body: unknown) => unknown,
    options: { signal: AbortSignal | undefined; fresh: boolean },
  ): Promise<unknown> {
    const cacheKey = `${accountId} ${request.accept} ${key}`;
    if (store && !options.fresh) {
      const hit = await store.get(cacheKey);
      if (hit && now() - hit.storedAt < ttlMs) return hit.value;
    }
    const shared = inFlight.get(cacheKey);
    if (shared && !options.fresh) return shared;
    const pending = (async () => {
      const response = await transport.send({
        method: 'GET',
        url: request.url,
        query: request.query,
        headers: { accept: request.accept },
        signal: options.signal,
      });
      const value = check(response.body);
      if (store) await store.set(cacheKey, { storedAt: now(), value });
      return value;
    })();
    inFlight.set(cacheKey, pending);
    try {
      return await pending;
    } finally {
      if (inFlight.get(cacheKey) === pending) inFlight.delete(cacheKey);
    }
  }

  const schemaOf = (what: string) => (body: unknown) => {
    if (!isObject(body) || (body.properties !== undefined && !isObject(body.properties)))
      throw new RecordClientError(
        'ERR_RECORD_INVALID_RESPONSE',
        `netsuite sent a ${what} that is not a JSON Schema object`,
      );
    return body;
  };

  const api: MetadataApi = {
    async catalog(options) {
      const o = checkCallOptions(options);
      const value = await fetchCached(
        'catalog',
        { url: catalogUrl, accept: 'application/json' },
        (body) => {
          const items = isObject(body) ? body.items : undefined;
          if (!Array.isArray(items) || items.some((i) => !isObject(i) || typeof i.name !== 'string'))
            throw new RecordClientError(
              'ERR_RECORD_INVALID_RESPONSE',
              'netsuite sent a metadata catalog without items',
            );
          return items.map((i) => ({ name: i.name, links: Array.isArray(i.links) ? i.links : [] }));
        },
        o,
      );
      return value as CatalogEntry[];
    },

    async jsonSchema(type, options) {
      const name = checkRecordType(type);
      const o = checkCallOptions(options);
      return (await fetchCached(
        `type ${name}`,
        { url: `${catalogUrl}/${name}`, accept: SCHEMA_JSON },
        schemaOf(`schema of ${name}`),
        o,
      )) as JsonSchemaObject;
    },

    async jsonSchemas(types, options) {
      const names = checkTypes(types);
      const o = checkCallOptions(options);
      const onProgress = checkOptions(options).onProgress;
      if (onProgress !== undefined && typeof onProgress !== 'function')
        throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'onProgress must be a function');
      // The first failure aborts the requests still queued or running.
      const stop = new AbortController();
      const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
      let done = 0;
      const out: Record<string, JsonSchemaObject> = {};
      try {
        await Promise.all(
          names.map(async (name) => {
            out[name] = await api.jsonSchema(name, { signal, fresh: o.fresh });
            done++;
            onProgress?.(done, names.length, name);
          }),
        );
      } catch (error) {
        stop.abort();
        throw error;
      }
      // Keep the caller's order.
      return Object.fromEntries(names.map((n) => [n, out[n] as JsonSchemaObject]));
    },

    async openApi(types, options) {
      const names = checkTypes(types);
      const o = checkCallOptions(options);
      return (await fetchCached(
        `openapi ${names.join(',')}`,
        { url: catalogUrl, accept: SWAGGER_JSON, query: { select: names.join(',') } },
        (body) => {
          if (!isObject(body) || typeof body.openapi !== 'string')
            throw new RecordClientError(
              'ERR_RECORD_INVALID_RESPONSE',
              'netsuite sent an OpenAPI document without openapi',
            );
          return body;
        },
        o,
      )) as OpenApiDocument;
    },

    async clearCache() {
      await store?.clear();
    },
  };
  return api;
}
