#!/usr/bin/env node
// Builds the console (web/console → web/console/dist) only when the build is missing or older than
// its sources, so `npm start` and `npm test` stay fast. The build goes to a temporary folder and is
// swapped in, under a lock, because several test runs may share one checkout.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(root, 'web/console');
const dist = path.join(consoleDir, 'dist');
const builtIndex = path.join(dist, 'index.html');
const lockDir = path.join(root, '.tmp/console-build.lock');

function newestSourceTime() {
  let newest = 0;
  const visit = (entry) => {
    const stat = statSync(entry);
    if (stat.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ['src', 'index.html', 'vite.config.ts', 'tsconfig.json']) {
    const full = path.join(consoleDir, entry);
    if (existsSync(full)) visit(full);
  }
  return newest;
}

/** Why a build is needed, or null when dist is up to date. */
export function consoleBuildReason() {
  if (!existsSync(builtIndex)) return 'web/console/dist/index.html is missing';
  const built = statSync(builtIndex).mtimeMs;
  const sources = newestSourceTime();
  return sources > built ? 'web/console sources changed since the last build' : null;
}

async function withLock(work) {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than five minutes belongs to a build that died.
      if (Date.now() - statSync(lockDir).mtimeMs > 300_000) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() - started > 180_000) throw new Error(`timed out waiting for ${lockDir}`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export async function ensureConsole({ log = console.log } = {}) {
  const reason = consoleBuildReason();
  if (!reason) {
    log('console: web/console/dist is up to date');
    return { built: false };
  }
  return withLock(async () => {
    // Another process may have built it while we waited for the lock.
    const stillNeeded = consoleBuildReason();
    if (!stillNeeded) {
      log('console: built by another process meanwhile');
      return { built: false };
    }
    log(`console: building (${stillNeeded}) with vite build --config web/console/vite.config.ts`);
    const started = Date.now();
    const staging = path.join(root, `.tmp/console-dist-${process.pid}`);
    const { build } = await import('vite');
    await build({ configFile: path.join(consoleDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    const old = path.join(root, `.tmp/console-dist-old-${process.pid}`);
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(staging, dist);
    rmSync(old, { recursive: true, force: true });
    log(`console: built web/console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { built: true };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureConsole().catch((error) => {
    console.error('console: build failed');
    console.error(error);
    process.exit(1);
  });
}
