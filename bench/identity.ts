// `npm run bench -- identity [--persons N] [--duration S] [--connections N] [--warmup S] [--json]`:
// resolutions per second (80 % known payers, 20 % new) against a merchant with a million persons on
// PostgreSQL, beside the bare indexed lookup every resolution starts with, measured in the same run.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../src/db/client.js';
import { resolve } from '../src/modules/identity/index.js';
import { systemContext } from '../src/modules/platform/index.js';
import { seedDemo } from '../src/seed.js';
import { parseLoadFlags, table, type LoadFigures } from './support/load.js';
import { progress } from './support/progress.js';

export const description = 'ID+ resolutions/s (80 % known, 20 % new) with 1M persons on PostgreSQL, beside a bare indexed lookup';

const APP_ID = 'wxbench00000000001';
const BATCH = 100_000;

function takePersonsFlag(args: readonly string[]): { persons: number; rest: string[] } {
  const rest: string[] = [];
  let persons = 1_000_000;
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i]!.split('=', 2) as [string, string | undefined];
    if (name !== '--persons') {
      rest.push(args[i]!);
      continue;
    }
    persons = Number(inline ?? args[++i]);
    if (!Number.isInteger(persons) || persons < 1000) throw new Error('--persons needs an integer ≥ 1000');
  }
  return { persons, rest };
}

async function temporaryDatabase(adminUrl: string): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  const name = `mp_bench_identity_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  progress(`database: PostgreSQL ${url.host}/${name} (temporary, dropped afterwards)`);
  const handle = await openDatabase({ url: url.toString(), poolSize: 32 });
  return {
    handle,
    drop: async () => {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * Persons with a WeChat openid and unionid each, written set-wise (INSERT … SELECT generate_series)
 * in batches: the bench measures resolution, not a million round trips of loading.
 */
async function load(handle: DatabaseHandle, merchantId: string, persons: number): Promise<number> {
  const started = performance.now();
  for (let from = 1; from <= persons; from += BATCH) {
    const to = Math.min(from + BATCH - 1, persons);
    await handle.db.execute(sql`
      insert into identity_persons (merchant_id, id, status, created_at, updated_at)
      select ${merchantId}, 'per_bench' || lpad(g::text, 21, '0'), 'active', now(), now()
      from generate_series(${from}::int, ${to}::int) g`);
    await handle.db.execute(sql`
      insert into identity_identifiers (merchant_id, id, person_id, kind, value, verified, strength, source, first_seen_at, last_seen_at)
      select ${merchantId}, 'idn_benchoa' || lpad(g::text, 20, '0'), 'per_bench' || lpad(g::text, 21, '0'), 'wechat_openid', ${`${APP_ID}:o`} || g, false, 'medium', 'bench', now(), now()
      from generate_series(${from}::int, ${to}::int) g
      union all
      select ${merchantId}, 'idn_benchun' || lpad(g::text, 20, '0'), 'per_bench' || lpad(g::text, 21, '0'), 'wechat_unionid', 'u' || g, false, 'strong', 'bench', now(), now()
      from generate_series(${from}::int, ${to}::int) g`);
    const seconds = (performance.now() - started) / 1000;
    progress(`loaded ${to.toLocaleString('en-US')} / ${persons.toLocaleString('en-US')} persons (${Math.round(to / seconds).toLocaleString('en-US')} persons/s)`);
  }
  await handle.db.execute(sql`analyze identity_persons`);
  await handle.db.execute(sql`analyze identity_identifiers`);
  return (performance.now() - started) / 1000;
}

interface Timed {
  readonly figures: LoadFigures;
  readonly p50Ms: number;
}

/** Runs `op` in `workers` concurrent loops for `seconds`; counts completions and latencies. */
async function timed(label: string, workers: number, seconds: number, op: (worker: number, n: number) => Promise<void>): Promise<Timed> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const ticker = setInterval(() => progress(`  ${label}: ${latencies.length.toLocaleString('en-US')} done`), 1000);
  try {
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        for (let n = 0; performance.now() < deadline; n++) {
          const start = performance.now();
          try {
            await op(worker, n);
            latencies.push(performance.now() - start);
          } catch (error) {
            errors++;
            if (errors === 1) progress(`  ${label}: first error: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    figures: {
      requestsPerSecond: latencies.length / seconds,
      p99Ms: at(0.99),
      averageLatencyMs: latencies.reduce((s, x) => s + x, 0) / Math.max(latencies.length, 1),
      requests: latencies.length,
      non2xx: 0,
      errors,
    },
    p50Ms: at(0.5),
  };
}

export async function run(args: readonly string[]): Promise<void> {
  const { persons, rest } = takePersonsFlag(args);
  const options = parseLoadFlags(rest, { durationSeconds: 10, connections: 8, warmupSeconds: 2 });
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    process.stderr.write(
      'bench identity needs PostgreSQL: set DATABASE_URL (for example DATABASE_URL=postgres://root@127.0.0.1:5432/postgres npm run bench -- identity).\n' +
        'It creates a temporary database next to the one named, loads a million persons into it and drops it afterwards.\n',
    );
    process.exitCode = 2;
    return;
  }
  const { handle, drop } = await temporaryDatabase(adminUrl);
  try {
    progress('migrating');
    await handle.migrate();
    const demo = await seedDemo(handle.db);
    const merchantId = demo.merchantId;
    progress(`loading ${persons.toLocaleString('en-US')} persons with 2 identifiers each`);
    const loadSeconds = await load(handle, merchantId, persons);
    const ctx = systemContext(demo.operatorId, merchantId, 'bench');
    // A deterministic stream per worker: known payers drawn across the whole book, new ones unique.
    let seed = 12345;
    const nextRandom = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const knownPerson = () => 1 + Math.floor(nextRandom() * persons);

    const bareLookup = async () => {
      const g = knownPerson();
      await handle.db.execute(sql`select person_id from identity_identifiers where merchant_id = ${merchantId} and kind = 'wechat_openid' and value = ${`${APP_ID}:o${g}`}`);
    };
    let newCount = 0;
    const resolution = async (worker: number, n: number, allKnown = false) => {
      const known = allKnown || n % 5 !== 4; // 4 of 5: 80 % known payers
      const identifiers = known
        ? (() => {
            const g = knownPerson();
            return [{ kind: 'wechat_openid', value: `${APP_ID}:o${g}` }, { kind: 'wechat_unionid', value: `u${g}` }];
          })()
        : [{ kind: 'wechat_openid', value: `${APP_ID}:new-${worker}-${n}-${newCount++}` }, { kind: 'wechat_unionid', value: `unew-${worker}-${n}-${newCount}` }];
      const result = await resolve(handle.db, ctx, { identifiers, create: true, context: 'payment', source: 'bench' });
      if (!result.personId) throw new Error('resolution returned no person');
    };

    if (options.warmupSeconds > 0) {
      progress(`warming up for ${options.warmupSeconds} s each`);
      await timed('bare (warm-up)', options.connections, options.warmupSeconds, bareLookup);
      await timed('resolve (warm-up)', options.connections, options.warmupSeconds, resolution);
    }
    progress(`measuring for ${options.durationSeconds} s each with ${options.connections} concurrent workers`);
    const bare = await timed('bare', options.connections, options.durationSeconds, bareLookup);
    const knownOnly = await timed('resolve known', options.connections, options.durationSeconds, (worker, n) => resolution(worker, n, true));
    const resolved = await timed('resolve', options.connections, options.durationSeconds, resolution);

    const report = {
      bench: 'identity',
      database: handle.kind,
      persons,
      identifiers: persons * 2,
      load_seconds: loadSeconds,
      duration_s: options.durationSeconds,
      workers: options.connections,
      node: process.version,
      results: {
        bare_lookup: { ops_per_sec: bare.figures.requestsPerSecond, p50_ms: bare.p50Ms, p99_ms: bare.figures.p99Ms, ops: bare.figures.requests, errors: bare.figures.errors },
        resolve_known_only: { ops_per_sec: knownOnly.figures.requestsPerSecond, p50_ms: knownOnly.p50Ms, p99_ms: knownOnly.figures.p99Ms, ops: knownOnly.figures.requests, errors: knownOnly.figures.errors },
        resolve: { ops_per_sec: resolved.figures.requestsPerSecond, p50_ms: resolved.p50Ms, p99_ms: resolved.figures.p99Ms, ops: resolved.figures.requests, errors: resolved.figures.errors, mix: '80% known (openid+unionid of one person), 20% new (create)' },
      },
      ratio: { known_only_ops_per_sec: knownOnly.figures.requestsPerSecond / bare.figures.requestsPerSecond, ops_per_sec: resolved.figures.requestsPerSecond / bare.figures.requestsPerSecond, p99: resolved.figures.p99Ms / Math.max(bare.figures.p99Ms, 0.001) },
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const title = `bench identity — PostgreSQL, ${persons.toLocaleString('en-US')} persons (${(persons * 2).toLocaleString('en-US')} identifiers, loaded in ${loadSeconds.toFixed(1)} s), ${options.durationSeconds} s × ${options.connections} workers, Node ${process.version}`;
      process.stdout.write(
        `${table(title, [
          { name: 'bare      select person_id by (merchant, kind, value)', figures: bare.figures },
          { name: 'known     resolve() 100% known payers', figures: knownOnly.figures },
          { name: 'resolve   resolve() 80% known / 20% new (creates persons)', figures: resolved.figures },
        ])}\n(req/s = operations per second; known / bare = ${(knownOnly.figures.requestsPerSecond / bare.figures.requestsPerSecond).toFixed(3)}×; p50: bare ${bare.p50Ms.toFixed(2)} ms, known ${knownOnly.p50Ms.toFixed(2)} ms, mix ${resolved.p50Ms.toFixed(2)} ms)\n`,
      );
    }
  } finally {
    await drop();
  }
}
