import { sql } from 'drizzle-orm';
import { runSandboxNotifications } from '../src/modules/payments/index.js';
import { startBenchApp } from './support/app.js';
import { runOnLanes } from './support/lanes.js';
import { progress } from './support/progress.js';

export const description = 'channel notification → payment succeeded + payment.succeeded event, payments/s, beside a plain insert-and-update transaction';

interface CapturedNotification {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function parseFlags(args: readonly string[]) {
  const options = { payments: 300, concurrency: 8, channel: 'wechatpay' as 'wechatpay' | 'alipay', json: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = () => {
      const raw = args[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      return raw;
    };
    if (flag === '--json') options.json = true;
    else if (flag === '--payments' || flag === '-n') options.payments = Math.max(1, Number.parseInt(value(), 10));
    else if (flag === '--concurrency' || flag === '-c') options.concurrency = Math.max(1, Number.parseInt(value(), 10));
    else if (flag === '--channel') {
      const channel = value();
      if (channel !== 'wechatpay' && channel !== 'alipay') throw new Error('--channel is wechatpay or alipay');
      options.channel = channel;
    } else throw new Error(`unknown flag ${flag} (flags: --payments N, --concurrency N, --channel wechatpay|alipay, --json)`);
  }
  return options;
}

export async function run(args: readonly string[]): Promise<void> {
  const options = parseFlags(args);
  if (!process.env.DATABASE_URL) progress('note: DATABASE_URL is not set; the issue asks for this figure on PostgreSQL (embedded PGlite serialises all transactions)');
  const memberplus = await startBenchApp();
  try {
    const headers = { authorization: `Bearer ${memberplus.demo.apiKey}`, 'content-type': 'application/json' };
    progress(`creating ${options.payments} ${options.channel} QR payments and paying them in the sandbox wallet`);
    const paymentIds: string[] = [];
    for (let i = 0; i < options.payments; i++) {
      const created = await fetch(`${memberplus.url}/v1/payments`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ store_id: memberplus.demo.storeIds[0], amount_fen: 100 + i, mode: 'qr', channel: options.channel }),
      });
      if (created.status !== 201) throw new Error(`create payment: ${created.status} ${await created.text()}`);
      const payment = (await created.json()) as { id: string; code_url: string };
      paymentIds.push(payment.id);
      const pay = await fetch(`${memberplus.url}${new URL(payment.code_url).pathname}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ buyer: `buyer-${i % 50}` }),
      });
      if (pay.status >= 400) throw new Error(`wallet pay: ${pay.status} ${await pay.text()}`);
      if ((i + 1) % 50 === 0) progress(`  ${i + 1}/${options.payments}`);
    }

    // Let the sandbox build its signed (and, for WeChat, encrypted) notifications, but capture them
    // instead of sending, so the measured part is only our side: verify, decrypt, apply, publish.
    const captured: CapturedNotification[] = [];
    const capture: typeof fetch = async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      captured.push({ path: url.pathname, headers: Object.fromEntries(new Headers(init?.headers).entries()), body: String(init?.body ?? '') });
      return new Response(options.channel === 'alipay' ? 'success' : null, { status: options.channel === 'alipay' ? 200 : 204 });
    };
    await runSandboxNotifications(memberplus.db, new Date(), capture, memberplus.secretKey);
    if (captured.length < options.payments) throw new Error(`the sandbox produced ${captured.length} notifications for ${options.payments} payments`);

    progress(`delivering ${captured.length} notifications with ${options.concurrency} concurrent senders`);
    let refused = 0;
    const notifyMs = await runOnLanes(captured.length, options.concurrency, async (index) => {
      const notification = captured[index]!;
      const response = await fetch(`${memberplus.url}${notification.path}`, { method: 'POST', headers: notification.headers, body: notification.body });
      if (response.status >= 300) refused += 1;
      await response.arrayBuffer();
    });

    const [{ succeeded, events }] = (
      (await memberplus.db.execute(
        sql`select (select count(*) from payments_orders where status = 'succeeded')::int as succeeded,
                   (select count(*) from platform_outbox_events where type = 'payment.succeeded')::int as events`,
      )) as unknown as { rows: { succeeded: number; events: number }[] }
    ).rows as [{ succeeded: number; events: number }];
    if (refused || succeeded !== options.payments || events !== options.payments) {
      throw new Error(`expected ${options.payments} succeeded payments and events; got ${succeeded} payments, ${events} events, ${refused} refused notifications`);
    }

    progress('baseline: the same number of plain insert-and-update transactions');
    await memberplus.db.execute(sql`create table if not exists bench_baseline (id text primary key, status text not null, updated_at timestamptz)`);
    const baselineMs = await runOnLanes(options.payments, options.concurrency, async (index) => {
      await memberplus.db.transaction(async (tx) => {
        await tx.execute(sql`insert into bench_baseline (id, status) values (${`b${index}`}, 'paying')`);
        await tx.execute(sql`update bench_baseline set status = 'succeeded', updated_at = now() where id = ${`b${index}`}`);
      });
    });
    await memberplus.db.execute(sql`drop table bench_baseline`);

    const perSecond = (ms: number) => (options.payments * 1000) / ms;
    const report = {
      bench: 'payments',
      database: memberplus.database,
      channel: options.channel,
      payments: options.payments,
      concurrency: options.concurrency,
      node: process.version,
      results: {
        baseline: { what: 'insert + update in one transaction', per_sec: perSecond(baselineMs), total_ms: baselineMs },
        payments: { what: `${options.channel} notification → succeeded + payment.succeeded`, per_sec: perSecond(notifyMs), total_ms: notifyMs },
      },
      ratio: perSecond(notifyMs) / perSecond(baselineMs),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const rows = [
      ['', 'per s', 'total ms'],
      ['baseline  insert + update transaction', fmt(report.results.baseline.per_sec), fmt(baselineMs)],
      [`payments  ${options.channel} notification → succeeded + event`, fmt(report.results.payments.per_sec), fmt(notifyMs)],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ');
    process.stdout.write(
      [
        `bench payments — ${memberplus.database}, ${options.payments} payments, ${options.concurrency} concurrent, Node ${process.version}`,
        '',
        ...rows.map(line),
        '',
        `ratio (payments / baseline)   ${fmt(report.ratio, 3)}×`,
        '',
      ].join('\n'),
    );
  } finally {
    await memberplus.stop();
  }
}
