// Browser tests drive Debian's Chromium (never a browser downloaded by a test tool). Installed with
// apt when missing and we are root; CHROMIUM_PATH points elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureChromium(log) {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.getuid?.() !== 0)
    throw new Error(`Chromium is missing at ${path}: install Debian's chromium or set CHROMIUM_PATH`);
  log("installing Debian's chromium for the browser tests…");
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return path;
}
