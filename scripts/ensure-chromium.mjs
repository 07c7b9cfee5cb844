#!/usr/bin/env node
// The e2e tests drive Debian's Chromium (/usr/bin/chromium) with playwright-core; Playwright's own
// browser downloads are not used. Installs it with apt-get when we can, else says what to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = '/usr/bin/chromium';

function version() {
  try {
    return execFileSync(chromium, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'version unknown';
  }
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  console.log(`chromium: $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    console.error(`chromium: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function noteFonts() {
  // Only the screenshots need CJK glyphs; the tests find controls by data-testid and text content.
  if (!hasCommand('fc-list')) return;
  const zh = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (zh.status === 0 && !zh.stdout.trim()) console.log('chromium: note: no Chinese font installed; e2e screenshots will show boxes (apt-get install -y fonts-noto-cjk)');
}

if (existsSync(chromium)) {
  console.log(`chromium: found ${chromium} (${version()})`);
  noteFonts();
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && hasCommand('apt-get')) {
  console.log(`chromium: ${chromium} is missing; installing the Debian package`);
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', 'chromium']);
  if (!existsSync(chromium)) {
    console.error(`chromium: apt-get finished but ${chromium} is still missing`);
    process.exit(1);
  }
  console.log(`chromium: installed ${chromium} (${version()})`);
  noteFonts();
  process.exit(0);
}

console.error(
  [
    `chromium: ${chromium} is missing and cannot be installed from here${isRoot ? ' (no apt-get)' : ' (not root)'}.`,
    'The e2e tests need Debian/Ubuntu Chromium at that path. Install it, for example:',
    '  sudo apt-get update && sudo apt-get install -y chromium',
  ].join('\n'),
);
process.exit(1);
