import autocannon, { type Result } from 'autocannon';
import { progress } from './progress.js';

export interface LoadOptions {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly warmupSeconds: number;
}

export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly averageLatencyMs: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

function once(label: string, url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    let elapsed = 0;
    const instance = autocannon({ url, headers, connections, duration: seconds }, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('tick', ({ counter }) => {
      // autocannon ticks once more as it stops; that one is not a second of load.
      if (++elapsed <= seconds) progress(`  ${label}: ${elapsed}/${seconds} s, ${counter} req/s`);
    });
  });
}

/** Loads one URL: a short warm-up (JIT, connection pools, caches), then the measured run. */
export async function measure(label: string, url: string, headers: Record<string, string>, options: LoadOptions): Promise<LoadFigures> {
  if (options.warmupSeconds > 0) {
    progress(`${label}: warming up for ${options.warmupSeconds} s`);
    await once(`${label} (warm-up)`, url, headers, options.connections, options.warmupSeconds);
  }
  progress(`${label}: measuring for ${options.durationSeconds} s with ${options.connections} connections`);
  const result = await once(label, url, headers, options.connections, options.durationSeconds);
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    averageLatencyMs: result.latency.average,
    requests: result.requests.total ?? 0,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Shared flags: --duration S, --connections N, --warmup S, --json. */
export function parseLoadFlags(args: readonly string[], defaults: LoadOptions = { durationSeconds: 10, connections: 20, warmupSeconds: 2 }): LoadOptions & { json: boolean } {
  const options = { ...defaults, json: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const [name, inline] = flag.split('=', 2) as [string, string | undefined];
    const value = () => {
      const raw = inline ?? args[++i];
      const number = Number(raw);
      if (raw === undefined || !Number.isFinite(number) || number < 0) throw new Error(`${name} needs a non-negative number`);
      return number;
    };
    if (name === '--json') options.json = true;
    else if (name === '--duration' || name === '-d') options.durationSeconds = Math.max(1, value());
    else if (name === '--connections' || name === '-c') options.connections = Math.max(1, Math.round(value()));
    else if (name === '--warmup') options.warmupSeconds = value();
    else throw new Error(`unknown flag ${flag} (flags: --duration S, --connections N, --warmup S, --json)`);
  }
  return options;
}

export interface Row {
  readonly name: string;
  readonly figures: LoadFigures;
}

const number = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A plain-text table: each row's req/s and p99, then the ratio of the last row to the first (the baseline). */
export function table(title: string, rows: readonly Row[]): string {
  const baseline = rows[0]!.figures;
  const subject = rows.at(-1)!.figures;
  const lines: string[][] = [
    ['', 'req/s', 'p99 ms', 'avg ms', 'requests', 'non-2xx', 'errors'],
    ...rows.map((r) => [r.name, number(r.figures.requestsPerSecond), number(r.figures.p99Ms, 1), number(r.figures.averageLatencyMs, 2), number(r.figures.requests), number(r.figures.non2xx), number(r.figures.errors)]),
    [`ratio (${rows.at(-1)!.name.split(' ')[0]} / ${rows[0]!.name.split(' ')[0]})`, `${number(subject.requestsPerSecond / baseline.requestsPerSecond, 3)}×`, `${number(subject.p99Ms / Math.max(baseline.p99Ms, 0.001), 2)}×`, '', '', '', ''],
  ];
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const render = (line: string[]) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('   ').trimEnd();
  return [title, '', render(lines[0]!), ...lines.slice(1, -1).map(render), '', render(lines.at(-1)!)].join('\n');
}
