// A race real channels occasionally lose: the buyer's payment lands after the merchant's close or
// reverse (a reverse that timed out, a close that reached another node first). The sandbox can be
// told to play it, so the payment side's handling of a late success is tested end to end.
import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { commonErrors } from '../../../kernel/errors.js';
import { errors, StrictObject } from '../../../http/route-kit.js';
import { randomBuyerLabel } from './buyer-identity.js';
import { merchantById } from './sandbox-merchants.js';
import { markPaid, transition, type SandboxContext } from './sandbox-trades.js';
import { sandboxTrades } from './schema.js';

/** Pays a closed, revoked or failed trade (or a still-open one) and queues its payment notification. */
export async function payLate(ctx: SandboxContext, outTradeNo: string, buyer: string, now: Date): Promise<{ state: string; previous: string } | undefined> {
  const [trade] = await ctx.db.select().from(sandboxTrades).where(eq(sandboxTrades.outTradeNo, outTradeNo));
  const merchant = trade ? await merchantById(ctx.db, trade.merchantId) : undefined;
  if (!trade || !merchant) return undefined;
  if (trade.state === 'SUCCESS') return { state: trade.state, previous: trade.state };
  // Back to "buyer paying" for an instant, then paid the ordinary way (notification included).
  await transition(ctx.db, trade.id, ['CLOSED', 'REVOKED', 'PAYERROR'], 'USERPAYING', now);
  const paid = await markPaid(ctx, merchant, trade.id, buyer, now);
  return { state: paid?.state ?? trade.state, previous: trade.state };
}

export function lateSuccessRoute(app: FastifyInstance, context: () => Promise<SandboxContext>): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/trades/:out_trade_no/late-success',
    {
      config: { public: true },
      schema: {
        tags: ['sandbox'],
        summary: 'Test hook: the buyer’s payment lands after the merchant closed or reversed the order (the trade is paid and the merchant notified)',
        params: StrictObject({ out_trade_no: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Union([Type.Null(), StrictObject({ buyer: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) })]),
        response: { 200: Type.Object({ out_trade_no: Type.String(), previous_state: Type.String(), state: Type.String() }), ...errors() },
      },
    },
    async (request) => {
      const result = await payLate(await context(), request.params.out_trade_no, request.body?.buyer ?? randomBuyerLabel(), new Date());
      if (!result) throw commonErrors.make('not_found', 'no such sandbox trade');
      return { out_trade_no: request.params.out_trade_no, previous_state: result.previous, state: result.state };
    },
  );
}
