import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFor, businessDateOf } from '../../src/modules/payments/payment-orders.js';
import { channelAccounts } from '../../src/modules/payments/schema.js';
import { getPayment, payInWallet, qrPayment, startPaymentsApp, type PaymentJson, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
const today = businessDateOf(new Date());
beforeAll(async () => {
  t = await startPaymentsApp();
});
afterAll(() => t.close());

interface Line {
  id: string;
  kind: string;
  out_trade_no: string;
  resolution: string;
  local_amount_fen: number | null;
  channel_amount_fen: number | null;
}
interface Report {
  id: string;
  matched: number;
  mismatches: number;
  lines: Line[];
}

async function paid(channel: 'wechatpay' | 'alipay', amount: number): Promise<PaymentJson> {
  return (await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: amount, auth_code: await t.buyerCode(channel, 'pay') })).json() as PaymentJson;
}

describe.each(['wechatpay', 'alipay'] as const)('%s reconciliation (对账)', (channel) => {
  it('finds each kind of mismatch and resolves lines by query or explanation', async () => {
    const a = await paid(channel, 1_000);
    const b = await paid(channel, 2_000);
    // Paid at the channel, but its notification never arrived: still paying here.
    const c = await qrPayment(t, channel, 3_000);
    await payInWallet(t, c.code_url!, 'erin');

    const downloaded = await t.api('POST', '/v1/reconciliations', { channel, date: today });
    expect(downloaded.statusCode, downloaded.body).toBe(201);
    const clean = downloaded.json() as Report;
    expect(clean.lines.map((l) => [l.kind, l.out_trade_no])).toEqual([['status_mismatch', c.out_trade_no]]);
    expect(clean.matched).toBeGreaterThanOrEqual(2);

    // The same bill, spoiled: A missing, B's amount changed, a stranger's order added.
    const [account] = await t.database.db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, t.demo.merchantId), eq(channelAccounts.channel, channel)));
    const bill = await (await adapterFor({ db: t.database.db, config: t.config }, account!, t.demo.operatorId)).downloadBill(today);
    const lines = bill.split(/\r?\n/);
    const bLine = lines.find((l) => l.includes(b.out_trade_no) && l.includes('20.00'));
    expect(bLine).toBeDefined();
    const ghost = 'pay_01ghost00000000000000000000';
    const spoiled = lines
      .filter((l) => !l.includes(a.out_trade_no))
      .flatMap((l) => (l === bLine ? [l.replaceAll('20.00', '20.01'), l.replaceAll(b.out_trade_no, ghost)] : [l]))
      .join('\n');
    const uploaded = await t.api('POST', '/v1/reconciliations', { channel, date: today, bill_text: spoiled });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const report = uploaded.json() as Report;
    const kinds = Object.fromEntries(report.lines.map((l) => [l.out_trade_no, l.kind]));
    expect(kinds).toEqual({ [a.out_trade_no]: 'missing_at_channel', [b.out_trade_no]: 'amount_mismatch', [c.out_trade_no]: 'status_mismatch', [ghost]: 'missing_locally' });
    expect(report.lines.find((l) => l.kind === 'amount_mismatch')).toMatchObject({ local_amount_fen: 2_000, channel_amount_fen: 2_001 });

    const statusLine = report.lines.find((l) => l.kind === 'status_mismatch')!;
    const fixed = await t.api('POST', `/v1/reconciliations/${report.id}/lines/${statusLine.id}/resolve`, { action: 'query_and_fix', note: 'notification lost' });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json().resolution).toBe('fixed');
    expect((await getPayment(t, c.id)).status).toBe('succeeded');

    const ghostLine = report.lines.find((l) => l.kind === 'missing_locally')!;
    const explained = await t.api('POST', `/v1/reconciliations/${report.id}/lines/${ghostLine.id}/resolve`, { action: 'mark_explained', note: 'test order made by hand' });
    expect(explained.json()).toMatchObject({ resolution: 'explained', note: 'test order made by hand' });
    const twice = await t.api('POST', `/v1/reconciliations/${report.id}/lines/${ghostLine.id}/resolve`, { action: 'mark_explained', note: 'again' });
    expect(twice.statusCode).toBe(409);

    const again = (await t.api('POST', '/v1/reconciliations', { channel, date: today })).json() as Report;
    expect(again.lines).toEqual([]);
    const list = (await t.api('GET', `/v1/reconciliations?channel=${channel}`)).json() as { items: { id: string }[] };
    expect(list.items.map((r) => r.id)).toEqual(expect.arrayContaining([clean.id, report.id, again.id]));
  });

  it('refuses a file that is not a bill', async () => {
    const response = await t.api('POST', '/v1/reconciliations', { channel, date: today, bill_text: 'hello,world' });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('bill_unreadable');
  });
});
