// Daily statements, computed only from the append-only ledger (payments_ledger_entries), so a
// statement for a past day is reproducible at any time: merchant (gross, refunds, fees, net) and,
// for the operator, margin (fees − channel cost) and the agent's commission (分润), rounded once per
// merchant and day (docs/decisions/0004-fee-rounding.md).
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authorize, findMerchantById, getAgent, requireMerchantId, systemContext, type AccessContext } from '../platform/index.js';
import { paymentErrors } from './errors.js';
import { agentCommissionFen, type DailyFigures } from './fee-split.js';
import { ledgerEntries } from './schema.js';

interface Group {
  readonly kind: string;
  readonly count: number;
  readonly amountFen: number;
  readonly feeFen: number;
  readonly costFen: number;
}

/** Folds per-kind sums into the day's figures (the aggregate form of fee-split's dailyFigures). */
export function figuresOf(groups: readonly Group[]): DailyFigures {
  let paymentCount = 0;
  let refundCount = 0;
  let grossFen = 0;
  let refundsFen = 0;
  let feesFen = 0;
  let costFen = 0;
  for (const g of groups) {
    if (g.kind === 'payment') {
      paymentCount += g.count;
      grossFen += g.amountFen;
    } else {
      refundCount += g.count;
      refundsFen += g.amountFen;
    }
    feesFen += g.feeFen;
    costFen += g.costFen;
  }
  return { paymentCount, refundCount, grossFen, refundsFen, feesFen, costFen, netFen: grossFen - refundsFen - feesFen, marginFen: feesFen - costFen };
}

const sums = {
  kind: ledgerEntries.kind,
  count: sql<number>`count(*)::int`.mapWith(Number),
  amountFen: sql<number>`coalesce(sum(${ledgerEntries.amountFen}), 0)::bigint`.mapWith(Number),
  feeFen: sql<number>`coalesce(sum(${ledgerEntries.feeFen}), 0)::bigint`.mapWith(Number),
  costFen: sql<number>`coalesce(sum(${ledgerEntries.costFen}), 0)::bigint`.mapWith(Number),
};

function groupBy<T, K extends string>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) out.set(key(row), [...(out.get(key(row)) ?? []), row]);
  return out;
}

export interface MerchantStatement {
  readonly date: string;
  readonly merchantId: string;
  readonly totals: DailyFigures;
  readonly byChannel: { channel: string; figures: DailyFigures }[];
  readonly byStore: { storeId: string; figures: DailyFigures }[];
}

export function assertDate(date: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw paymentErrors.make('bill_unreadable', 'date must be yyyy-MM-dd');
}

export async function merchantStatementOf(db: Db, merchantId: string, date: string): Promise<MerchantStatement> {
  const rows = await db
    .select({ ...sums, channel: ledgerEntries.channel, storeId: ledgerEntries.storeId })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.merchantId, merchantId), eq(ledgerEntries.businessDate, date)))
    .groupBy(ledgerEntries.kind, ledgerEntries.channel, ledgerEntries.storeId);
  return {
    date,
    merchantId,
    totals: figuresOf(rows),
    byChannel: [...groupBy(rows, (r) => r.channel)].map(([channel, g]) => ({ channel, figures: figuresOf(g) })).sort((a, b) => a.channel.localeCompare(b.channel)),
    byStore: [...groupBy(rows, (r) => r.storeId)].map(([storeId, g]) => ({ storeId, figures: figuresOf(g) })).sort((a, b) => a.storeId.localeCompare(b.storeId)),
  };
}

export async function merchantStatement(db: Db, ctx: AccessContext, date: string): Promise<MerchantStatement> {
  authorize(ctx, 'settlements.read');
  assertDate(date);
  return merchantStatementOf(db, requireMerchantId(ctx), date);
}

/** Per-day totals over a range, for charts. */
export async function merchantDailySeries(db: Db, ctx: AccessContext, from: string, to: string): Promise<{ date: string; figures: DailyFigures }[]> {
  authorize(ctx, 'settlements.read');
  assertDate(from);
  assertDate(to);
  const rows = await db
    .select({ ...sums, date: ledgerEntries.businessDate })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.merchantId, requireMerchantId(ctx)), gte(ledgerEntries.businessDate, from), lte(ledgerEntries.businessDate, to)))
    .groupBy(ledgerEntries.kind, ledgerEntries.businessDate)
    .orderBy(asc(ledgerEntries.businessDate));
  return [...groupBy(rows, (r) => r.date)].map(([date, g]) => ({ date, figures: figuresOf(g) }));
}

export interface OperatorStatement {
  readonly date: string;
  readonly merchants: { merchantId: string; merchantName: string; agentId: string | null; figures: DailyFigures; agentCommissionFen: number }[];
  readonly agents: { agentId: string; agentName: string; shareBps: number; merchantCount: number; marginFen: number; commissionFen: number }[];
  readonly totals: DailyFigures & { readonly agentCommissionFen: number; readonly operatorKeepsFen: number };
}

export async function operatorStatement(db: Db, ctx: AccessContext, date: string): Promise<OperatorStatement> {
  authorize(ctx, 'operator.settlements.read');
  if (ctx.merchantId) throw paymentErrors.make('operator_only');
  assertDate(date);
  const rows = await db
    .select({ ...sums, merchantId: ledgerEntries.merchantId })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.businessDate, date))
    .groupBy(ledgerEntries.kind, ledgerEntries.merchantId);
  const operatorCtx = systemContext(ctx.operatorId, null, 'settlement');
  const merchantsOut: OperatorStatement['merchants'][number][] = [];
  const agentsById = new Map<string, { agentName: string; shareBps: number; merchantIds: string[]; marginFen: number; commissionFen: number }>();
  for (const [merchantId, groups] of groupBy(rows, (r) => r.merchantId)) {
    const merchant = await findMerchantById(db, merchantId);
    if (!merchant || merchant.operatorId !== ctx.operatorId) continue;
    // An agent sees only the merchants it brought.
    if (ctx.actor.role === 'agent' && merchant.agentId !== ctx.agentId) continue;
    const figures = figuresOf(groups);
    let commission = 0;
    if (merchant.agentId) {
      let agent = agentsById.get(merchant.agentId);
      if (!agent) {
        const row = await getAgent(db, operatorCtx, merchant.agentId);
        agent = { agentName: row.name, shareBps: row.shareBps, merchantIds: [], marginFen: 0, commissionFen: 0 };
        agentsById.set(merchant.agentId, agent);
      }
      commission = agentCommissionFen(figures.marginFen, agent.shareBps);
      agent.merchantIds.push(merchantId);
      agent.marginFen += figures.marginFen;
      agent.commissionFen += commission;
    }
    merchantsOut.push({ merchantId, merchantName: merchant.name, agentId: merchant.agentId, figures, agentCommissionFen: commission });
  }
  merchantsOut.sort((a, b) => a.merchantId.localeCompare(b.merchantId));
  const allGroups = rows.filter((r) => merchantsOut.some((m) => m.merchantId === r.merchantId));
  const totals = figuresOf(allGroups);
  const agentCommission = merchantsOut.reduce((sum, m) => sum + m.agentCommissionFen, 0);
  return {
    date,
    merchants: merchantsOut,
    agents: [...agentsById].map(([agentId, a]) => ({ agentId, agentName: a.agentName, shareBps: a.shareBps, merchantCount: a.merchantIds.length, marginFen: a.marginFen, commissionFen: a.commissionFen })),
    totals: { ...totals, agentCommissionFen: agentCommission, operatorKeepsFen: totals.marginFen - agentCommission },
  };
}


