// Public API of @netsuite-oauth/typegen: named exports only.
export { isTypegenError, TypegenError, type TypegenErrorCode } from './errors.js';
export {
  type GeneratedTypes,
  type GenerateOptions,
  generateRecordTypes,
  type MetadataSource,
  writeRecordTypes,
} from './generate.js';
export { type CatalogSchema, interfaceName, type RenderOptions, renderRecordTypes } from './render.js';
