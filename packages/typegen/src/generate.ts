import { TypegenError } from './errors.js';
import { type CatalogSchema, type RenderOptions, renderRecordTypes } from './render.js';

/**
 * Where schemas come from: `client.metadata` of `@netsuite-oauth/record-client` (governed, parallel, cached), or
 * anything with the same two calls.
 *
 * @example
 * const metadata: MetadataSource = client.metadata
 */
export interface MetadataSource {
  catalog(options?: { signal?: AbortSignal }): Promise<ReadonlyArray<{ readonly name: string }>>;
  jsonSchemas(
    types: readonly string[],
    options?: {
      signal?: AbortSignal;
      onProgress?: (done: number, total: number, type: string) => void;
    },
  ): Promise<Readonly<Record<string, CatalogSchema>>>;
}

/**
 * Options of {@link generateRecordTypes}.
 *
 * @example
 * await generateRecordTypes({ metadata: client.metadata, types: ['customer', 'salesOrder'] })
 */
export interface GenerateOptions extends RenderOptions {
  readonly metadata: MetadataSource;
  /** The record types, or `'all'` for every type in the catalog (slow on a real account). */
  readonly types: readonly string[] | 'all';
  /** Called as each type's schema arrives. */
  readonly onProgress?: (done: number, total: number, type: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * What {@link generateRecordTypes} made.
 *
 * @example
 * const { source, types } = await generateRecordTypes({ metadata: client.metadata, types: 'all' })
 */
export interface GeneratedTypes {
  /** The TypeScript source: one file. */
  readonly source: string;
  /** The record types it covers, in order. */
  readonly types: readonly string[];
}

function checkTypes(types: unknown): readonly string[] | 'all' {
  if (types === 'all') return types;
  if (
    !Array.isArray(types) ||
    types.length === 0 ||
    types.length > 5000 ||
    types.some((t) => typeof t !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(t))
  )
    throw new TypegenError(
      'ERR_TYPEGEN_INVALID_ARGUMENT',
      "types must be 'all' or record type names such as customer",
    );
  return [...new Set(types as string[])];
}

/**
 * Fetches record types' JSON Schemas from the metadata catalog (in parallel, within the client's governance) and
 * renders one TypeScript file: an interface per record type and the record type → interface map.
 *
 * @example
 * const { source } = await generateRecordTypes({ metadata: client.metadata, types: ['customer', 'salesOrder'] });
 * @throws {TypegenError} `ERR_TYPEGEN_INVALID_ARGUMENT` for bad options, `ERR_TYPEGEN_METADATA` when the catalog
 * could not be read (the client's error is the `cause`), and the errors of {@link renderRecordTypes}.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545129726.html
 */
export async function generateRecordTypes(options: GenerateOptions): Promise<GeneratedTypes> {
  if (options === null || typeof options !== 'object')
    throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'options must be an object');
  const { metadata, onProgress, signal } = options;
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    typeof metadata.catalog !== 'function' ||
    typeof metadata.jsonSchemas !== 'function'
  )
    throw new TypegenError(
      'ERR_TYPEGEN_INVALID_ARGUMENT',
      'metadata must be client.metadata of @netsuite-oauth/record-client',
    );
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'onProgress must be a function');
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'signal must be an AbortSignal');
  const wanted = checkTypes(options.types);
  let schemas: Readonly<Record<string, CatalogSchema>>;
  let types: string[];
  try {
    types =
      wanted === 'all'
        ? [...new Set((await metadata.catalog(signal ? { signal } : {})).map((e) => e.name))]
        : [...wanted];
    schemas = await metadata.jsonSchemas(types, {
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
  } catch (cause) {
    throw new TypegenError('ERR_TYPEGEN_METADATA', 'the metadata catalog could not be read', { cause });
  }
  const render: RenderOptions = {
    ...(options.mapName === undefined ? {} : { mapName: options.mapName }),
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.format === undefined ? {} : { format: options.format }),
  };
  return { source: await renderRecordTypes(schemas, render), types };
}

/**
 * {@link generateRecordTypes}, then writes the file atomically (a temporary file renamed over the old one, so an
 * editor or `tsc --watch` never sees half a file).
 *
 * @example
 * await writeRecordTypes({ metadata: client.metadata, types: ['customer'], out: 'src/netsuite-records.ts' });
 * @throws {TypegenError} `ERR_TYPEGEN_WRITE` when the file cannot be written, and the errors of {@link generateRecordTypes}.
 */
export async function writeRecordTypes(
  options: GenerateOptions & { readonly out: string },
): Promise<GeneratedTypes> {
  if (
    options === null ||
    typeof options !== 'object' ||
    typeof options.out !== 'string' ||
    options.out === '' ||
    options.out.includes('\0')
  )
    throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'out must be a file path');
  const generated = await generateRecordTypes(options);
  const { mkdir, rename, rm, writeFile } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const tmp = `${options.out}.${crypto.randomUUID()}.tmp`;
  try {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(tmp, generated.source);
    await rename(tmp, options.out);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new TypegenError('ERR_TYPEGEN_WRITE', 'the types file could not be written', { cause });
  }
  return generated;
}
