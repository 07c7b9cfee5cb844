// `npm run bench -- <name> [flags]`: runs bench/<name>.ts. A bench exports `description` and
// `run(args)`, and prints each figure beside a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Bench {
  readonly description?: string;
  run(args: readonly string[]): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -3))
  .sort();

async function describe(name: string): Promise<string> {
  const bench = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Partial<Bench>;
  return `  ${name.padEnd(12)} ${bench.description ?? ''}`;
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || !available.includes(name)) {
    process.stderr.write(`${name ? `unknown bench "${name}". ` : ''}usage: npm run bench -- <name> [--duration S] [--connections N] [--warmup S] [--json]\n\navailable:\n`);
    for (const bench of available) process.stderr.write(`${await describe(bench)}\n`);
    return name ? 2 : 1;
  }
  const bench = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Bench;
  await bench.run(args);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
