import type { Context } from '../context.js';
import { formatTable } from '../format.js';
import { maskSecret } from '../mask.js';

/**
 * `config show`: the resolved settings and their sources, secrets masked.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const s = ctx.settings();
  const src = (name: string) => s.sources[name] ?? 'unset';
  const rows: { setting: string; value: string | undefined; source: string }[] = [
    { setting: 'accountId', value: s.accountId, source: src('accountId') },
    { setting: 'origin', value: s.origin, source: src('origin') },
    { setting: 'clientId', value: s.clientId, source: src('clientId') },
    {
      setting: 'clientSecret',
      value: s.clientSecret && maskSecret(s.clientSecret),
      source: src('clientSecret'),
    },
    { setting: 'certificateId', value: s.certificateId, source: src('certificateId') },
    {
      setting: 'privateKey',
      value: s.privateKeyFile ?? (s.privateKeyPem ? 'NETSUITE_PRIVATE_KEY' : undefined),
      source: s.privateKeyFile ? src('privateKeyFile') : src('privateKey'),
    },
    {
      setting: 'keyPassphrase',
      value: s.passphrase ? 'set' : undefined,
      source: s.passphrase ? 'env' : 'unset',
    },
    { setting: 'certificateFile', value: s.certificateFile, source: src('certificateFile') },
    { setting: 'scopes', value: s.scopes.join(','), source: src('scopes') },
    { setting: 'redirectUri', value: s.redirectUri, source: src('redirectUri') },
    { setting: 'algorithm', value: s.algorithm, source: src('algorithm') },
    { setting: 'store', value: s.store, source: src('store') },
  ];
  if (s.store === 'file') {
    rows.push({ setting: 'storePath', value: s.storePath, source: src('storePath') });
    rows.push({
      setting: 'storeKey',
      value: s.storeKey ? 'NETSUITE_OAUTH_STORE_KEY' : s.storeKeyFile,
      source: s.storeKey ? 'env' : 'key file',
    });
  }
  if (s.store === 'redis') {
    rows.push({
      setting: 'redisUrl',
      value: s.redisUrl?.replace(/\/\/[^@/]*@/, '//***@'),
      source: src('redisUrl'),
    });
  }
  rows.push({ setting: 'timeout', value: `${s.timeoutMs / 1000}s`, source: src('timeout') });
  if (ctx.format === 'json') {
    const settings: Record<string, { value: string | null; source: string }> = {};
    for (const r of rows) settings[r.setting] = { value: r.value ?? null, source: r.source };
    ctx.out(
      `${JSON.stringify({ configFile: s.configPath, configFound: s.configFound, profile: s.profile, settings }, null, 2)}\n`,
    );
    return 0;
  }
  ctx.out(
    `config file: ${s.configPath}${s.configFound ? '' : ' (not found)'}\nprofile:     ${s.profile}\n\n`,
  );
  ctx.out(
    formatTable(
      rows.map((r) => ({ ...r, value: r.value ?? '-' })),
      { maxWidth: 100 },
    ),
  );
  return 0;
}
