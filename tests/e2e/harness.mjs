// Shared end-to-end harness: a sandbox process on a port the OS picks, and Debian's Chromium via playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
export const SECRET_KEY = 'sk_sandbox_e2e';

/** Starts target/debug/intent-sandbox on 127.0.0.1:0 and resolves once it prints its URL. */
export function startSandbox(extraArgs = []) {
  const binary = process.env.SANDBOX_BIN ?? join(root, 'target/debug/intent-sandbox');
  const child = spawn(binary, ['--port', '0', '--secret-key', SECRET_KEY, ...extraArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sandbox did not start within 20 s')), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox exited early with code ${code}`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      clearTimeout(timer);
      if (!url) return reject(new Error(`unexpected sandbox output: ${line}`));
      child.removeAllListeners('exit');
      lines.on('line', () => {}); // keep draining stdout
      resolve({ url, stop: () => stopProcess(child) });
    });
  });
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGINT');
  });
}

/** Launches Debian's Chromium headless with a fresh profile; never downloads a browser. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'intent-checkout-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  return {
    context: browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
