import { dirname, join, resolve } from 'node:path';
import type { CertificatesClient } from '@netsuite-oauth/certificates';
import type { Context } from '../context.js';
import { configError, usageError } from '../errors.js';
import { assertOutputDirectory, FILE_LIMITS, readLimitedFile, writeOutputFile } from '../files.js';
import { createRowWriter } from '../format.js';
import { printObject } from '../output.js';
import { accountOptions, authKind, need, openStore, requireSession, tokenManager } from '../runtime.js';

const KEY_TYPES = ['rsa-3072', 'rsa-4096', 'ec-p256', 'ec-p384', 'ec-p521'] as const;
const CERTIFICATE_ID = /^[\w-]{1,200}$/;

/** A client of the certificates endpoint, with the token of `--auth` (client credentials, or the login session). */
async function certificatesClient(ctx: Context): Promise<CertificatesClient> {
  const settings = ctx.settings();
  const kind = authKind(ctx);
  const store = await openStore(ctx);
  if (kind === 'session') await requireSession(ctx, store);
  const manager = await tokenManager(ctx, kind, store);
  const { createCertificatesClient } = await import('@netsuite-oauth/certificates');
  return createCertificatesClient({
    ...accountOptions(settings),
    clientId: need(settings, 'clientId'),
    accessToken: async () => {
      const token = await manager.getAccessToken();
      ctx.redactor.register(token);
      return token;
    },
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
  });
}

function idOption(ctx: Context, name: 'role' | 'entity'): number | undefined {
  const text = ctx.string(name);
  if (text === undefined) return undefined;
  if (!/^-?\d{1,12}$/.test(text)) throw usageError(`--${name} must be an internal id, e.g. 3 or -5`);
  return Number(text);
}

/** The role and entity of the configured certificate, for a new mapping that replaces it. */
async function currentMapping(ctx: Context, client: CertificatesClient) {
  const role = idOption(ctx, 'role');
  const entity = idOption(ctx, 'entity');
  if (role !== undefined && entity !== undefined) return { role, entity };
  const current = (await client.list()).find((c) => c.certificateId === ctx.settings().certificateId);
  const r = role ?? (current?.role === undefined ? undefined : Number(current.role));
  const e = entity ?? (current?.entity === undefined ? undefined : Number(current.entity));
  if (r === undefined || e === undefined || !Number.isInteger(r) || !Number.isInteger(e)) {
    throw usageError(
      'which role and entity should the certificate map to?',
      'pass --role and --entity (internal ids; a certificate maps to one integration + role + entity)',
    );
  }
  return { role: r, entity: e };
}

async function list(ctx: Context): Promise<number> {
  const client = await certificatesClient(ctx);
  const { certificateExpiry } = await import('@netsuite-oauth/certificates');
  const configured = ctx.settings().certificateId;
  const rows = (await client.list()).map((c) => {
    const expiry = certificateExpiry(c.validUntil, ctx.now());
    return {
      certificateId: c.certificateId,
      status: c.status,
      role: c.role,
      entity: c.entity,
      algorithm: c.algorithm,
      validUntil: c.validUntil?.toISOString(),
      daysLeft: c.status === 'ACTIVE' ? expiry.daysLeft : undefined,
      expiry: c.status === 'ACTIVE' ? expiry.level : undefined,
      inUse: c.certificateId === configured,
    };
  });
  const writer = createRowWriter(ctx.format, (text) => ctx.out(text));
  for (const row of rows) writer.write(row);
  writer.end();
  if (ctx.format === 'table') {
    const active = rows.filter((r) => r.status === 'ACTIVE').length;
    ctx.note(`${active} of at most 5 active certificates`);
    for (const r of rows) {
      if (r.expiry === 'warn')
        ctx.note(`warning: ${r.certificateId} expires in ${r.daysLeft} days: run "pnpm nso cert rotate"`);
    }
  }
  return 0;
}

async function upload(ctx: Context): Promise<number> {
  const file = ctx.positionals[0];
  if (!file)
    throw usageError(
      'missing certificate file',
      'usage: pnpm nso cert upload <file> [--role id] [--entity id]',
    );
  const pem = readLimitedFile(resolve(ctx.io.cwd, file), {
    what: 'certificate file',
    maxBytes: FILE_LIMITS.certificate,
    hint: 'check the path',
  });
  if (/PRIVATE KEY-----/.test(pem)) {
    throw configError(
      'the file holds a private key',
      'upload the certificate only (netsuite-cert.pem), never the key',
    );
  }
  const client = await certificatesClient(ctx);
  const mapping = await currentMapping(ctx, client);
  const created = await client.upload({ certificatePem: pem, ...mapping });
  printObject(ctx, {
    ...created,
    validFrom: created.validFrom?.toISOString(),
    validUntil: created.validUntil?.toISOString(),
  });
  if (ctx.format !== 'json')
    ctx.note(
      `\nnext: sign with certificate id ${created.certificateId} (--certificate-id / NETSUITE_CERTIFICATE_ID)`,
    );
  return 0;
}

async function revoke(ctx: Context): Promise<number> {
  const id = ctx.positionals[0];
  if (!id || !CERTIFICATE_ID.test(id))
    throw usageError('missing or malformed certificate id', 'usage: pnpm nso cert revoke <certificate id>');
  if (id === ctx.settings().certificateId && !ctx.flag('force')) {
    throw usageError(
      'that is the certificate this profile signs with',
      'revoking it stops client credentials at once: rotate first ("pnpm nso cert rotate"), or pass --force',
    );
  }
  const client = await certificatesClient(ctx);
  await client.revoke(id);
  printObject(ctx, { certificateId: id, status: 'REVOKED' });
  return 0;
}

async function rotate(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const clientId = need(settings, 'clientId');
  const currentCertificateId = need(settings, 'certificateId');
  const keyType = ctx.string('key-type') ?? 'ec-p256';
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    throw usageError(`unknown --key-type "${keyType}"`, `use one of ${KEY_TYPES.join(', ')}`);
  }
  const hoursText = ctx.string('overlap-hours') ?? '24';
  const hours = Number(hoursText);
  if (!Number.isFinite(hours) || hours < 0 || hours > 2160) {
    throw usageError('--overlap-hours must be a number from 0 to 2160');
  }
  const outDir = resolve(
    ctx.io.cwd,
    ctx.string('out-dir') ?? (settings.privateKeyFile ? dirname(settings.privateKeyFile) : '.'),
  );
  assertOutputDirectory(join(outDir, 'x'));
  const keyFile = (fingerprint: string) =>
    join(outDir, `netsuite-key-${fingerprint.replaceAll(':', '').slice(0, 16).toLowerCase()}.pem`);
  const certFile = (fingerprint: string) =>
    join(outDir, `netsuite-cert-${fingerprint.replaceAll(':', '').slice(0, 16).toLowerCase()}.pem`);
  const client = await certificatesClient(ctx);
  const mapping =
    ctx.string('role') !== undefined || ctx.string('entity') !== undefined
      ? await currentMapping(ctx, client)
      : {};
  const store = await openStore(ctx);
  const manager = await tokenManager(ctx, authKind(ctx), store);
  const { rotateCertificate } = await import('@netsuite-oauth/certificates');
  let switched: { certificateId: string; keyFile: string; certFile: string } | undefined;
  const result = await rotateCertificate({
    ...accountOptions(settings),
    clientId,
    accessToken: async () => {
      const token = await manager.getAccessToken();
      ctx.redactor.register(token);
      return token;
    },
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
    store,
    currentCertificateId,
    keyType: keyType as (typeof KEY_TYPES)[number],
    overlapMs: Math.round(hours * 3_600_000),
    ...mapping,
    now: ctx.now,
    saveKey: (k) => {
      ctx.redactor.register(k.privateKeyPem);
      writeOutputFile(keyFile(k.fingerprint), k.privateKeyPem, {
        mode: 0o600,
        overwrite: false,
        what: 'private key',
      });
      writeOutputFile(certFile(k.fingerprint), k.certificatePem, {
        mode: 0o644,
        overwrite: true,
        what: 'certificate',
      });
    },
    loadKey: (fingerprint) => {
      try {
        const pem = readLimitedFile(keyFile(fingerprint), {
          what: 'private key file',
          maxBytes: FILE_LIMITS.privateKey,
          hint: 'the rotation saved it here',
          secret: true,
        });
        ctx.redactor.register(pem);
        return pem;
      } catch {
        return undefined;
      }
    },
    onSwitch: (s) => {
      switched = {
        certificateId: s.certificateId,
        keyFile: keyFile(s.fingerprint),
        certFile: certFile(s.fingerprint),
      };
    },
    onStep: (phase) => ctx.progress(`rotation: ${phase}`),
  });
  ctx.progress(undefined);
  printObject(ctx, {
    status: result.status,
    certificateId: result.certificateId,
    previousCertificateId: result.previousCertificateId,
    revokeAfter: result.revokeAfter.toISOString(),
    resumed: result.resumed,
    ...(switched ? { privateKeyFile: switched.keyFile, certificateFile: switched.certFile } : {}),
  });
  if (ctx.format !== 'json') {
    if (switched) {
      ctx.note(
        `\nnext: sign with the new certificate everywhere:\n  NETSUITE_CERTIFICATE_ID=${switched.certificateId} NETSUITE_PRIVATE_KEY_FILE=${switched.keyFile}`,
      );
    }
    if (result.status === 'overlap') {
      ctx.note(
        `the old certificate stays active until ${result.revokeAfter.toISOString()}: run "pnpm nso cert rotate" again after that to revoke it`,
      );
    }
  }
  return 0;
}

/**
 * `cert list`, `cert upload`, `cert revoke` and `cert rotate`: NetSuite's certificate endpoint (article_0209112025).
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  switch (ctx.spec.name) {
    case 'cert list':
      return await list(ctx);
    case 'cert upload':
      return await upload(ctx);
    case 'cert revoke':
      return await revoke(ctx);
    default:
      return await rotate(ctx);
  }
}
