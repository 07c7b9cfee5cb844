import Fastify from 'fastify';
import { startBenchApp } from './support/app.js';
import { measure, parseLoadFlags, table } from './support/load.js';
import { progress } from './support/progress.js';

export const description = 'authenticated GET /v1/stores/:storeId (demo API key) beside a bare Fastify route, req/s and p99';

/** The baseline: the same framework with nothing of ours — no auth, no database, no hooks. */
async function startBare(): Promise<{ url: string; stop: () => Promise<void> }> {
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ id: 'sto_bare', name: 'bare', status: 'active' }));
  const url = await bare.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${url}/bare`, stop: () => bare.close() };
}

export async function run(args: readonly string[]): Promise<void> {
  const options = parseLoadFlags(args);
  const bare = await startBare();
  const memberplus = await startBenchApp();
  try {
    const storeId = memberplus.demo.storeIds[0]!;
    const apiUrl = `${memberplus.url}/v1/stores/${storeId}`;
    const headers = { authorization: `Bearer ${memberplus.demo.apiKey}` };
    // Measure only a route that answers 200: a broken key would benchmark the 401 path.
    const probe = await fetch(apiUrl, { headers });
    if (probe.status !== 200) throw new Error(`GET ${apiUrl} answered ${probe.status}: ${await probe.text()}`);

    const baseline = await measure('bare', bare.url, {}, options);
    const api = await measure('api', apiUrl, headers, options);
    if (api.non2xx || api.errors || baseline.non2xx || baseline.errors) progress('warning: some requests failed; see the non-2xx and errors columns');

    const report = {
      bench: 'api',
      database: memberplus.database,
      duration_s: options.durationSeconds,
      connections: options.connections,
      node: process.version,
      results: {
        bare: { route: 'GET /bare', requests_per_sec: baseline.requestsPerSecond, p99_ms: baseline.p99Ms, avg_ms: baseline.averageLatencyMs, requests: baseline.requests, non_2xx: baseline.non2xx, errors: baseline.errors },
        api: { route: 'GET /v1/stores/:storeId', requests_per_sec: api.requestsPerSecond, p99_ms: api.p99Ms, avg_ms: api.averageLatencyMs, requests: api.requests, non_2xx: api.non2xx, errors: api.errors },
      },
      ratio: { requests_per_sec: api.requestsPerSecond / baseline.requestsPerSecond, p99: api.p99Ms / Math.max(baseline.p99Ms, 0.001) },
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const title = `bench api — ${memberplus.database}, ${options.durationSeconds} s × ${options.connections} connections, Node ${process.version}`;
      process.stdout.write(
        `${table(title, [
          { name: 'bare      GET /bare (Fastify, no auth, no DB)', figures: baseline },
          { name: 'api       GET /v1/stores/:storeId (API key)', figures: api },
        ])}\n`,
      );
    }
  } finally {
    await memberplus.stop();
    await bare.stop();
  }
}
