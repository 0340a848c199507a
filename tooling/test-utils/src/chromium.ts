import { existsSync } from 'node:fs';

/** Path of the system Chromium (Debian's package), or `CHROMIUM_PATH` when set. Throws when none is found. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'chromium not found: install Debian package chromium (bash scripts/setup.sh does) or set CHROMIUM_PATH',
  );
}
