import { lstatSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { configError, usageError } from '../errors.js';
import { assertOutputDirectory, FILE_LIMITS, readLimitedFile, writeOutputFile } from '../files.js';
import { printObject } from '../output.js';
import { loadPrivateKey } from '../runtime.js';

const KEY_TYPES = ['rsa-3072', 'rsa-4096', 'ec-p256', 'ec-p384', 'ec-p521'] as const;

function iso(value: unknown): string {
  const d = value instanceof Date ? value : new Date(value as string | number);
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
}

/** Refuses, before anything is generated, an output path that {@link writeOutputFile} would refuse. */
function checkOutputPath(path: string, force: boolean): void {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      throw configError(
        `${path} is a symbolic link; keys are never written through one`,
        'remove the link or choose another path',
      );
    }
    if (!force)
      throw configError(`${path} already exists`, 'use --force to overwrite, or --out-key / --out-cert');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  assertOutputDirectory(path);
}

async function generate(ctx: Context): Promise<number> {
  const keyType = ctx.string('key-type') ?? 'ec-p256';
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    throw usageError(
      `unknown --key-type "${keyType}"`,
      `use one of ${KEY_TYPES.join(', ')} (NetSuite accepts only these)`,
    );
  }
  const daysText = ctx.string('days') ?? '730';
  const days = Number(daysText);
  if (!Number.isInteger(days) || days < 1 || days > 730) {
    throw usageError(
      '--days must be a whole number from 1 to 730',
      'NetSuite caps certificate validity at two years',
    );
  }
  const keyPath = resolve(ctx.io.cwd, ctx.string('out-key') ?? 'netsuite-key.pem');
  const certPath = resolve(ctx.io.cwd, ctx.string('out-cert') ?? 'netsuite-cert.pem');
  if (keyPath === certPath) throw usageError('--out-key and --out-cert must be different files');
  // Check both paths before writing either, so a refusal leaves nothing half-done.
  for (const p of [keyPath, certPath]) checkOutputPath(p, ctx.flag('force'));
  const { generateCertificate } = await import('@netsuite-oauth/jwt-assertion');
  const generated = await generateCertificate({
    keyType: keyType as (typeof KEY_TYPES)[number],
    commonName: ctx.string('cn') ?? 'netsuite-oauth',
    validityDays: days,
    now: ctx.now,
  });
  ctx.redactor.register(generated.privateKeyPem);
  // A new file renamed over the old one: an existing file's mode, or a link, never applies to the new key.
  const overwrite = ctx.flag('force');
  writeOutputFile(keyPath, generated.privateKeyPem, { mode: 0o600, overwrite, what: 'private key' });
  writeOutputFile(certPath, generated.certificatePem, { mode: 0o644, overwrite, what: 'certificate' });
  printObject(ctx, {
    privateKey: keyPath,
    certificate: certPath,
    keyType: generated.keyType,
    algorithm: generated.algorithm,
    fingerprint: generated.fingerprint,
    notBefore: iso(generated.notBefore),
    notAfter: iso(generated.notAfter),
  });
  if (ctx.format !== 'json') {
    ctx.note(
      `\nnext: upload ${certPath} at Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup,\n` +
        `      then set NETSUITE_CERTIFICATE_ID to the certificate id NetSuite shows and NETSUITE_PRIVATE_KEY_FILE=${keyPath}`,
    );
  }
  return 0;
}

async function inspect(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const file = ctx.positionals[0] ? resolve(ctx.io.cwd, ctx.positionals[0]) : settings.certificateFile;
  if (!file) throw usageError('missing certificate file', 'usage: pnpm nso cert inspect <file> [--key file]');
  const pem = readLimitedFile(file, {
    what: 'certificate file',
    maxBytes: FILE_LIMITS.certificate,
    hint: 'check the path',
  });
  const privateKey = settings.privateKeyFile || settings.privateKeyPem ? loadPrivateKey(ctx) : undefined;
  const { inspectCertificate } = await import('@netsuite-oauth/jwt-assertion');
  const info = inspectCertificate(pem, {
    privateKey,
    ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
    now: ctx.now,
  });
  const result: Record<string, unknown> = { file, ...info };
  for (const k of ['notBefore', 'notAfter']) if (result[k] !== undefined) result[k] = iso(result[k]);
  if (ctx.format === 'json') {
    printObject(ctx, result);
  } else {
    const { problems, ...rest } = result as { problems: readonly unknown[] } & Record<string, unknown>;
    printObject(ctx, rest);
    for (const p of problems)
      ctx.out(`${ctx.outColor.yellow('problem')}  ${typeof p === 'string' ? p : JSON.stringify(p)}\n`);
  }
  const ok = info.acceptedByNetSuite && !info.expired && info.matchesPrivateKey !== false;
  if (!ok && ctx.format !== 'json') {
    ctx.note(
      info.matchesPrivateKey === false
        ? 'the certificate does not belong to this private key'
        : 'NetSuite would refuse this certificate (see the problems above)',
    );
  }
  return ok ? 0 : 1;
}

/**
 * `cert generate` and `cert inspect`.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  return ctx.spec.name === 'cert generate' ? await generate(ctx) : await inspect(ctx);
}
