// Fee rates, readable. A merchant sees the fee rate it pays per channel — not the channel's cost to
// the operator nor the agent's share, which are the operator's business. The operator sees every
// merchant's fee rate, channel cost rate, the margin between them and its agent's share (分润); an
// agent sees the same for the merchants it brought. Rates are set through setChannelRates.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authorize, findMerchantById, getAgent, requireMerchantId, systemContext, type AccessContext } from '../platform/index.js';
import type { ChannelName } from './channels/adapter.js';
import { paymentErrors } from './errors.js';
import { channelAccounts } from './schema.js';

export interface MerchantRate {
  readonly channel: ChannelName;
  readonly feeRatePpm: number;
  readonly status: string;
}

export interface ChannelRates extends MerchantRate {
  readonly costRatePpm: number;
  /** fee − cost: what the operator earns per million of volume before the agent's share. */
  readonly marginPpm: number;
  /** The agent's part of the margin, per million of volume (display only; commission is computed daily in fen, ADR 0004). */
  readonly agentPpm: number;
}

export interface MerchantRates {
  readonly merchantId: string;
  readonly merchantName: string;
  readonly agent: { readonly id: string; readonly name: string; readonly shareBps: number } | null;
  readonly channels: ChannelRates[];
}

/** The caller's own merchant: fee rate per configured channel. */
export async function merchantRates(db: Db, ctx: AccessContext): Promise<MerchantRate[]> {
  authorize(ctx, 'payment_channels.read');
  const rows = await db
    .select({ channel: channelAccounts.channel, feeRatePpm: channelAccounts.feeRatePpm, status: channelAccounts.status })
    .from(channelAccounts)
    .where(eq(channelAccounts.merchantId, requireMerchantId(ctx)))
    .orderBy(asc(channelAccounts.channel));
  return rows;
}

function assertOperatorSide(ctx: AccessContext): void {
  authorize(ctx, 'operator.payment_rates.read');
  if (ctx.merchantId) throw paymentErrors.make('operator_only');
}

async function ratesOf(db: Db, ctx: AccessContext, merchantId: string, agents: Map<string, MerchantRates['agent']>): Promise<MerchantRates | null> {
  const merchant = await findMerchantById(db, merchantId);
  // Another operator's merchant, or (for an agent) a merchant it did not bring, does not exist here.
  if (!merchant || merchant.operatorId !== ctx.operatorId) return null;
  if (ctx.actor.role === 'agent' && merchant.agentId !== ctx.agentId) return null;
  let agent: MerchantRates['agent'] = null;
  if (merchant.agentId) {
    agent = agents.get(merchant.agentId) ?? null;
    if (!agent) {
      const row = await getAgent(db, systemContext(ctx.operatorId, null, 'payment-rates'), merchant.agentId);
      agent = { id: row.id, name: row.name, shareBps: row.shareBps };
      agents.set(row.id, agent);
    }
  }
  const rows = await db.select().from(channelAccounts).where(eq(channelAccounts.merchantId, merchantId)).orderBy(asc(channelAccounts.channel));
  return {
    merchantId,
    merchantName: merchant.name,
    agent,
    channels: rows.map((r) => {
      const marginPpm = r.feeRatePpm - r.costRatePpm;
      return { channel: r.channel, feeRatePpm: r.feeRatePpm, costRatePpm: r.costRatePpm, status: r.status, marginPpm, agentPpm: agent ? Math.round((marginPpm * agent.shareBps) / 10_000) : 0 };
    }),
  };
}

/** One merchant's rates, for the operator's merchant page. */
export async function operatorMerchantRates(db: Db, ctx: AccessContext, merchantId: string): Promise<MerchantRates> {
  assertOperatorSide(ctx);
  const rates = await ratesOf(db, ctx, merchantId, new Map());
  if (!rates) throw paymentErrors.make('merchant_not_found');
  return rates;
}

/** Every merchant with a channel account, for the operator's rates table. */
export async function operatorRates(db: Db, ctx: AccessContext): Promise<MerchantRates[]> {
  assertOperatorSide(ctx);
  const merchantIds = await db.selectDistinct({ merchantId: channelAccounts.merchantId }).from(channelAccounts).orderBy(asc(channelAccounts.merchantId));
  const agents = new Map<string, MerchantRates['agent']>();
  const out: MerchantRates[] = [];
  for (const { merchantId } of merchantIds) {
    const rates = await ratesOf(db, ctx, merchantId, agents);
    if (rates) out.push(rates);
  }
  return out;
}
