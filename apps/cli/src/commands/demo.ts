import type { Context } from '../context.js';
import { describeError } from '../describe-error.js';
import { EXIT } from '../errors.js';
import { headlessLogin } from '../form-login.js';
import { tokenScopes } from '../jwt-claims.js';
import { maskSecret } from '../mask.js';
import { duration, elapsed } from '../output.js';

const REDIRECT_URI = 'https://localhost/netsuite-oauth/callback';
const DEMO_USER = { email: 'admin@example.com', password: 'emulator-password' };
const KEY_TYPES = ['rsa-3072', 'rsa-4096', 'ec-p256', 'ec-p384', 'ec-p521'];

interface StepResult {
  readonly step: number;
  readonly title: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

/**
 * `demo`: every flow against an in-process emulator, each step timed.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const keyType = ctx.string('key-type') ?? 'ec-p256';
  if (!KEY_TYPES.includes(keyType)) {
    const { usageError } = await import('../errors.js');
    throw usageError(`unknown --key-type "${keyType}"`, `use one of ${KEY_TYPES.join(', ')}`);
  }
  const c = ctx.outColor;
  const json = ctx.format === 'json';
  const steps: StepResult[] = [];
  const started = performance.now();
  if (!json) {
    ctx.out(
      `${c.bold('netsuite-oauth demo')} — every flow against a local NetSuite emulator (no account needed)\n\n`,
    );
  }

  const step = async <T>(title: string, fn: () => Promise<{ value: T; detail: string }>): Promise<T> => {
    const t0 = performance.now();
    const n = steps.length + 1;
    ctx.progress(`${n}. ${title}…`);
    try {
      const { value, detail } = await fn();
      const ms = performance.now() - t0;
      steps.push({ step: n, title, ok: true, ms: Math.round(ms), detail: ctx.redactor.redact(detail) });
      if (!json) {
        ctx.out(
          `${String(n).padStart(2)}. ${c.green('✓')} ${title.padEnd(37)} ${c.dim(elapsed(ms).padStart(7))}  ${detail}\n`,
        );
      }
      return value;
    } catch (error) {
      const ms = performance.now() - t0;
      const d = describeError(error);
      steps.push({ step: n, title, ok: false, ms: Math.round(ms), detail: ctx.redactor.redact(d.message) });
      if (!json)
        ctx.out(
          `${String(n).padStart(2)}. ${c.red('✗')} ${title.padEnd(37)} ${c.dim(elapsed(ms).padStart(7))}  ${d.message}\n`,
        );
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), { demoReported: true });
    }
  };

  try {
    const [{ startEmulator }, jwt, flows, records] = await Promise.all([
      import('@netsuite-oauth/emulator'),
      import('@netsuite-oauth/jwt-assertion'),
      import('@netsuite-oauth/oauth-flows'),
      import('@netsuite-oauth/record-client'),
    ]);

    const emu = await step('start the NetSuite emulator', async () => {
      const e = await startEmulator({ port: 0 });
      ctx.defer(() => e.close());
      return { value: e, detail: `${e.url} · account ${e.accountId}` };
    });
    const account = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true } as const;

    const cert = await step('generate a key pair + certificate', async () => {
      const g = await jwt.generateCertificate({
        keyType: keyType as 'ec-p256',
        commonName: 'netsuite-oauth demo',
      });
      ctx.redactor.register(g.privateKeyPem);
      return {
        value: g,
        detail: `${g.keyType} · ${g.algorithm} · valid until ${new Date(g.notAfter).toISOString().slice(0, 10)} · private key never shown`,
      };
    });

    const integration = await step('register integration + certificate', async () => {
      const created = await emu.admin.createIntegration({
        name: 'netsuite-oauth demo',
        grants: ['client_credentials', 'authorization_code'],
        redirectUris: [REDIRECT_URI],
        scopes: ['rest_webservices', 'restlets'],
      });
      ctx.redactor.register(created.clientSecret);
      const mapped = await emu.admin.addCertificate({
        clientId: created.clientId,
        certificatePem: cert.certificatePem,
      });
      return {
        value: {
          clientId: created.clientId,
          clientSecret: created.clientSecret,
          certificateId: mapped.certificateId,
        },
        detail: `client id ${created.clientId.slice(0, 8)}… · certificate id ${mapped.certificateId}`,
      };
    });

    const m2m = await step('token by client credentials (JWT)', async () => {
      const signer = await jwt.createAssertionSigner({
        key: cert.privateKeyPem,
        certificateId: integration.certificateId,
        clientId: integration.clientId,
        audience: emu.endpoints.tokenUrl,
        scope: ['rest_webservices', 'restlets'],
      });
      const tokens = await flows.requestClientCredentialsToken({ ...account, signer });
      ctx.redactor.register(tokens.accessToken);
      return {
        value: tokens,
        detail: `${signer.algorithm} assertion → access token ${maskSecret(tokens.accessToken)} · expires in ${duration(tokens.expiresAt - Date.now())}`,
      };
    });

    const client = records.createNetSuiteClient({ ...account, token: async () => m2m.accessToken });

    await step('read a customer (REST Record API)', async () => {
      let id: string | undefined;
      for await (const item of client.records.list('customer', { pageSize: 5 })) {
        id = item.id;
        break;
      }
      if (id === undefined) throw new Error('the emulator has no customers');
      const customer = await client.records.get('customer', id);
      const name = customer.companyName ?? customer.entityId ?? '(no name)';
      return { value: customer, detail: `GET customer/${id} → ${String(name)}` };
    });

    await step('run a SuiteQL query', async () => {
      const rows: Record<string, unknown>[] = [];
      for await (const row of client.suiteql('SELECT id, companyname FROM customer', { pageSize: 5 })) {
        rows.push(row);
        if (rows.length >= 5) break;
      }
      return {
        value: rows,
        detail: `SELECT id, companyname FROM customer → ${rows.length} rows, first: ${String(rows[0]?.companyname ?? rows[0]?.id ?? '-')}`,
      };
    });

    await step('call a RESTlet', async () => {
      const answer = await client.restlet({
        script: 'customscript_echo',
        deploy: 'customdeploy_echo',
        method: 'POST',
        body: { hello: 'netsuite' },
      });
      const text = JSON.stringify(answer) ?? '';
      return {
        value: answer,
        detail: `POST customscript_echo → ${text.length > 60 ? `${text.slice(0, 59)}…` : text}`,
      };
    });

    const confidential = { clientId: integration.clientId, clientSecret: integration.clientSecret ?? '' };
    const session = await step('authorization code + PKCE (headless)', async () => {
      const request = await flows.createAuthorizationRequest({
        ...account,
        clientId: integration.clientId,
        redirectUri: REDIRECT_URI,
        scopes: ['rest_webservices', 'restlets'],
      });
      ctx.redactor.register(request.codeVerifier);
      const callbackUrl = await headlessLogin({ url: request.url, redirectUri: REDIRECT_URI, ...DEMO_USER });
      const callback = flows.parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
      ctx.redactor.register(callback.code);
      const tokens = await flows.exchangeAuthorizationCode({
        ...account,
        client: confidential,
        code: callback.code,
        redirectUri: REDIRECT_URI,
        codeVerifier: request.codeVerifier,
      });
      ctx.redactor.register(tokens.accessToken);
      ctx.redactor.register(tokens.refreshToken);
      return {
        value: tokens,
        detail: `signed in as ${DEMO_USER.email} (role ${callback.role ?? '?'}) → access + refresh token, scopes ${tokenScopes(tokens.accessToken)?.join(',') ?? 'n/a'}`,
      };
    });

    const refreshed = await step('refresh the access token', async () => {
      const tokens = await flows.refreshAccessToken({
        ...account,
        client: confidential,
        refreshToken: session.refreshToken ?? '',
      });
      ctx.redactor.register(tokens.accessToken);
      ctx.redactor.register(tokens.refreshToken);
      return {
        value: tokens,
        detail: `new access token ${maskSecret(tokens.accessToken)} · ${tokens.refreshToken && tokens.refreshToken !== session.refreshToken ? 'refresh token rotated' : 'refresh token kept (confidential client)'}`,
      };
    });

    await step('revoke, and check it is refused', async () => {
      const refreshToken = refreshed.refreshToken ?? session.refreshToken ?? '';
      await flows.revokeToken({ ...account, client: confidential, token: refreshToken });
      let refusal = 'refused';
      try {
        await flows.refreshAccessToken({ ...account, client: confidential, refreshToken });
        throw new Error('the revoked refresh token still worked');
      } catch (error) {
        const e = error as { error?: unknown; message?: unknown };
        if (typeof e.error !== 'string') throw error;
        refusal = e.error;
      }
      return { value: undefined, detail: `revoked; refreshing again → ${refusal}` };
    });
  } catch (error) {
    ctx.progress(undefined);
    const d = describeError(error);
    if (json) {
      ctx.out(
        `${JSON.stringify({ ok: false, steps, error: { code: d.code, message: d.message } }, null, 2)}\n`,
      );
      return d.exitCode;
    }
    if (!(error as { demoReported?: boolean }).demoReported) throw error;
    ctx.note(`\n${ctx.color.red('error')}: ${d.message}`);
    if (d.hint) ctx.note(`${ctx.color.dim('hint')}: ${d.hint}`);
    return d.exitCode === EXIT.ok ? EXIT.failure : d.exitCode;
  }

  ctx.progress(undefined);
  const total = performance.now() - started;
  if (json) {
    ctx.out(`${JSON.stringify({ ok: true, totalMs: Math.round(total), steps }, null, 2)}\n`);
  } else {
    ctx.out(
      `\n${c.green(`All ${steps.length} steps passed`)} in ${elapsed(total)}. Secrets were masked throughout.\n` +
        `Next: "pnpm nso emulator" to try every command locally; "cert generate" and "doctor" for a real account.\n`,
    );
  }
  return EXIT.ok;
}
