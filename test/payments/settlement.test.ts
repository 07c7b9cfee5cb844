import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feeFen, agentCommissionFen, dailyFigures } from '../../src/modules/payments/fee-split.js';
import { businessDateOf } from '../../src/modules/payments/payment-orders.js';
import { runSandboxNotifications } from '../../src/modules/payments/sandbox/index.js';
import { ledgerEntries } from '../../src/modules/payments/schema.js';
import { startPaymentsApp, type PaymentJson, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
let operator: string;
const today = businessDateOf(new Date());
beforeAll(async () => {
  t = await startPaymentsApp();
  operator = await t.login('operator');
});
afterAll(() => t.close());

async function paid(channel: 'wechatpay' | 'alipay', amount: number, store = 0): Promise<PaymentJson> {
  const response = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[store], amount_fen: amount, auth_code: await t.buyerCode(channel, 'pay') });
  return response.json() as PaymentJson;
}

describe('settlement and commission (分润)', () => {
  it('builds the daily statement from the ledger with fees per order and commission per merchant-day', async () => {
    // The operator sets Alipay to 0.60 % for this merchant; WeChat Pay stays at the default 0.38 %.
    const rates = await t.app.inject({ method: 'PUT', url: `/v1/operator/merchants/${t.demo.merchantId}/payment-channels/alipay/rates`, headers: { cookie: operator }, payload: { fee_rate_ppm: 6000, cost_rate_ppm: 2500 } });
    expect(rates.statusCode, rates.body).toBe(204);
    const payments = [await paid('wechatpay', 10_000), await paid('wechatpay', 1_333, 1), await paid('alipay', 2_501), await paid('alipay', 99)];
    const refund = await t.api('POST', `/v1/payments/${payments[2]!.id}/refunds`, { amount_fen: 1_000, reason: 'partial' });
    expect(refund.statusCode).toBe(201);
    await runSandboxNotifications(t.database.db, new Date(Date.now() + 60_000));

    const expectedFees = feeFen(10_000, 3800) + feeFen(1_333, 3800) + feeFen(2_501, 6000) + feeFen(99, 6000) - (feeFen(1_000, 6000) - feeFen(0, 6000));
    const statement = (await t.api('GET', `/v1/settlements?date=${today}`)).json() as {
      totals: { gross_fen: number; refunds_fen: number; fees_fen: number; net_fen: number; payment_count: number; margin_fen: number };
      by_channel: { channel: string }[];
      by_store: { store_id: string }[];
    };
    expect(statement.totals).toMatchObject({ gross_fen: 13_933, refunds_fen: 1_000, fees_fen: expectedFees, payment_count: 4 });
    expect(statement.totals.net_fen).toBe(13_933 - 1_000 - expectedFees);
    expect(statement.by_channel.map((c) => c.channel)).toEqual(['alipay', 'wechatpay']);
    expect(statement.by_store).toHaveLength(2);

    // Reproducible: the same figures from the raw ledger, and on every later call.
    const rows = await t.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.merchantId, t.demo.merchantId), eq(ledgerEntries.businessDate, today)));
    const fromLedger = dailyFigures(rows.map((r) => ({ kind: r.kind as 'payment' | 'refund', amountFen: r.amountFen, feeFen: r.feeFen, costFen: r.costFen })));
    expect(statement.totals).toMatchObject({ gross_fen: fromLedger.grossFen, fees_fen: fromLedger.feesFen, net_fen: fromLedger.netFen, margin_fen: fromLedger.marginFen });
    expect((await t.api('GET', `/v1/settlements?date=${today}`)).json()).toEqual(statement);

    const operatorView = (await t.app.inject({ method: 'GET', url: `/v1/operator/settlements?date=${today}`, headers: { cookie: operator } })).json() as {
      merchants: { merchant_id: string; agent_commission_fen: number; figures: { margin_fen: number } }[];
      agents: { agent_id: string; share_bps: number; commission_fen: number }[];
      totals: { operator_keeps_fen: number; margin_fen: number; agent_commission_fen: number };
    };
    const mine = operatorView.merchants.find((m) => m.merchant_id === t.demo.merchantId)!;
    expect(mine.figures.margin_fen).toBe(fromLedger.marginFen);
    expect(mine.agent_commission_fen).toBe(agentCommissionFen(fromLedger.marginFen, 3000));
    expect(operatorView.agents).toEqual([expect.objectContaining({ agent_id: t.demo.agentId, share_bps: 3000, commission_fen: mine.agent_commission_fen })]);
    expect(operatorView.totals.operator_keeps_fen).toBe(operatorView.totals.margin_fen - operatorView.totals.agent_commission_fen);

    // The agent sees its merchants' commission; merchants cannot read the operator's statement.
    const agent = await t.app.inject({ method: 'GET', url: `/v1/operator/settlements?date=${today}`, headers: { cookie: await t.login('agent') } });
    expect(agent.statusCode).toBe(200);
    const owner = await t.app.inject({ method: 'GET', url: `/v1/operator/settlements?date=${today}`, headers: { cookie: await t.login('owner') } });
    expect(owner.statusCode).toBe(403);
    const cashier = await t.app.inject({ method: 'GET', url: `/v1/settlements?date=${today}`, headers: { cookie: await t.login('cashier') } });
    expect(cashier.statusCode).toBe(403);
  });
});
