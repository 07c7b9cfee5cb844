import { sql } from 'drizzle-orm';
import { startBenchApp } from './support/app.js';
import { runOnLanes } from './support/lanes.js';
import { progress } from './support/progress.js';

export const description = 'POST /v1/checkouts spending a coupon + points + stored value, checkouts/s, beside a plain transaction of the same row writes';

// One checkout (coupon + points + stored value, remainder answered) writes 22 rows: 14 inserts
// (3 applied references, 4 audit entries, 4 outbox events, a points entry, a stored-value entry, the
// checkout) and 8 updates (coupon, points lot, points account, card, 4 × the audit chain head).
const INSERTS = 14;
const UPDATES = 8;

function parseFlags(args: readonly string[]) {
  const options = { checkouts: 200, concurrency: 8, json: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = () => {
      const raw = args[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      return raw;
    };
    if (flag === '--json') options.json = true;
    else if (flag === '--checkouts' || flag === '-n') options.checkouts = Math.max(1, Number.parseInt(value(), 10));
    else if (flag === '--concurrency' || flag === '-c') options.concurrency = Math.max(1, Number.parseInt(value(), 10));
    else throw new Error(`unknown flag ${flag} (flags: --checkouts N, --concurrency N, --json)`);
  }
  return options;
}

export async function run(args: readonly string[]): Promise<void> {
  const options = parseFlags(args);
  if (!process.env.DATABASE_URL) progress('note: DATABASE_URL is not set; the issue asks for this figure on PostgreSQL (embedded PGlite serialises all transactions)');
  const memberplus = await startBenchApp();
  try {
    const headers = { authorization: `Bearer ${memberplus.demo.apiKey}`, 'content-type': 'application/json' };
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${memberplus.url}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const storeId = memberplus.demo.storeIds[0]!;
    await call('PATCH', '/v1/membership/program', { points_per_yuan: 1, redeem_points_per_yuan: 100 });
    const template = await call<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '满50减5', kind: 'threshold', value_fen: 500, min_spend_fen: 5_000, validity: { kind: 'relative', days: 30 } });

    progress(`preparing ${options.checkouts} members, each with points, stored value and a coupon`);
    const prepared: { memberId: string; couponId: string }[] = [];
    await runOnLanes(options.checkouts, 4, async (i) => {
      const member = await call<{ id: string }>('POST', '/v1/members', { phone: `139${String(10_000_000 + i).slice(-8)}`, consent_version: 'v1', consent_purposes: ['membership'] });
      await call('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 100_000, reference: `bench-earn-${i}` });
      await call('POST', `/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: 50_000, payment_reference: `bench-top-up-${i}` });
      const coupon = await call<{ id: string }>('POST', `/v1/membership/coupon-templates/${template.id}/issues`, { member_id: member.id });
      prepared[i] = { memberId: member.id, couponId: coupon.id };
      if ((i + 1) % 50 === 0) progress(`  ${i + 1}/${options.checkouts}`);
    });

    progress(`checking out ${options.checkouts} times with ${options.concurrency} concurrent cashiers`);
    const checkoutMs = await runOnLanes(options.checkouts, options.concurrency, async (i) => {
      const { memberId, couponId } = prepared[i]!;
      await call('POST', '/v1/checkouts', { member_id: memberId, store_id: storeId, reference: `bench-order-${i}`, amount_fen: 10_000, coupon_ids: [couponId], points: 200, stored_value_fen: 3_000 });
    });
    const [{ done }] = ((await memberplus.db.execute(sql`select count(*)::int as done from membership_checkouts`)) as unknown as { rows: { done: number }[] }).rows as [{ done: number }];
    if (done !== options.checkouts) throw new Error(`expected ${options.checkouts} checkouts, found ${done}`);

    progress(`baseline: ${options.checkouts} plain transactions of ${INSERTS} inserts + ${UPDATES} updates`);
    await memberplus.db.execute(sql`create table if not exists bench_checkout_baseline (id text primary key, n integer not null, payload text)`);
    const baselineMs = await runOnLanes(options.checkouts, options.concurrency, async (i) => {
      await memberplus.db.transaction(async (tx) => {
        for (let k = 0; k < INSERTS; k++) await tx.execute(sql`insert into bench_checkout_baseline (id, n, payload) values (${`b${i}-${k}`}, 0, 'x')`);
        for (let k = 0; k < UPDATES; k++) await tx.execute(sql`update bench_checkout_baseline set n = n + 1 where id = ${`b${i}-${k % INSERTS}`}`);
      });
    });
    await memberplus.db.execute(sql`drop table bench_checkout_baseline`);

    const perSecond = (ms: number) => (options.checkouts * 1000) / ms;
    const report = {
      bench: 'checkout',
      database: memberplus.database,
      checkouts: options.checkouts,
      concurrency: options.concurrency,
      node: process.version,
      results: {
        baseline: { what: `${INSERTS} inserts + ${UPDATES} updates in one transaction`, per_sec: perSecond(baselineMs), total_ms: baselineMs },
        checkout: { what: 'POST /v1/checkouts: coupon + points + stored value', per_sec: perSecond(checkoutMs), total_ms: checkoutMs },
      },
      ratio: perSecond(checkoutMs) / perSecond(baselineMs),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const rows = [
      ['', 'per s', 'total ms'],
      [`baseline  ${INSERTS} inserts + ${UPDATES} updates, one transaction`, fmt(report.results.baseline.per_sec), fmt(baselineMs)],
      ['checkout  POST /v1/checkouts, coupon + points + stored value', fmt(report.results.checkout.per_sec), fmt(checkoutMs)],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ');
    process.stdout.write(
      [
        `bench checkout — ${memberplus.database}, ${options.checkouts} checkouts, ${options.concurrency} concurrent, Node ${process.version}`,
        '',
        ...rows.map(line),
        '',
        `ratio (checkout / baseline)   ${fmt(report.ratio, 3)}×`,
        '',
      ].join('\n'),
    );
  } finally {
    await memberplus.stop();
  }
}
