import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function safe(fn, fallback = 'unknown') {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function versionOf(name) {
  return safe(() => {
    // Walk up from the resolved entry: not every package exports its package.json.
    let dir = new URL('.', import.meta.resolve(name));
    for (let i = 0; i < 6; i++) {
      try {
        const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
        if (manifest.name === name) return manifest.version;
      } catch {}
      dir = new URL('..', dir);
    }
    return 'unknown';
  });
}

/**
 * Facts about the machine and the software under test, for the report's header.
 *
 * @example
 * const facts = machineFacts(); // { cpu, cores, memory, node, os, loadavg, commit, versions }
 */
export function machineFacts() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    loadavg: os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
    commit: safe(() =>
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    ),
    dirty: safe(
      () =>
        execFileSync('git', ['status', '--porcelain'], { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim().length > 0,
      null,
    ),
    versions: Object.fromEntries(
      ['jose', 'ky', 'undici', 'openid-client', 'oauth4webapi', 'netsuite-rest', 'esbuild', 'size-limit'].map(
        (name) => [name, versionOf(name)],
      ),
    ),
  };
}
