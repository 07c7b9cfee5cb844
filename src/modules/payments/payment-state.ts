// The payment order's life: created → paying → succeeded | failed | closed. Terminal states never
// change again through this machine; a channel that reports something else afterwards is a
// reconciliation finding, not a transition — with one exception, the buyer charged after we gave
// up: closed | failed → late_paid (paid at the channel, refunded automatically, never a success for
// the business; docs/decisions/0008-late-success.md). Refunds are children with their own machine.

export const paymentStatuses = ['created', 'paying', 'succeeded', 'failed', 'closed', 'late_paid'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const refundStatuses = ['processing', 'succeeded', 'failed', 'closed'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

const paymentTransitions: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  created: ['paying', 'failed', 'closed'],
  paying: ['succeeded', 'failed', 'closed'],
  succeeded: [],
  failed: [],
  closed: [],
  late_paid: [],
};

const refundTransitions: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  processing: ['succeeded', 'failed', 'closed'],
  succeeded: [],
  failed: [],
  closed: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return paymentTransitions[from].includes(to);
}

export function isTerminal(status: PaymentStatus): boolean {
  return paymentTransitions[status].length === 0;
}

/** Statuses a channel's late report of success moves to late_paid (the order was given up on). */
export const lateSuccessSources: readonly PaymentStatus[] = ['closed', 'failed'];

/**
 * Whether a channel state reporting success means the buyer is charged *now*. Alipay answers
 * TRADE_CLOSED with a payment date for a trade paid and then fully refunded or cancelled (撤销 with
 * action=refund), and WeChat REFUND for one refunded: the money already went back, so a given-up
 * order must not be refunded again for it.
 */
export function chargedAtChannel(channelState: string): boolean {
  return channelState === 'SUCCESS' || channelState === 'TRADE_SUCCESS' || channelState === 'TRADE_FINISHED';
}

/** Statuses in which the buyer's money is (or was) with the merchant at the channel: bills list them. */
export function paidAtChannel(status: string): boolean {
  return status === 'succeeded' || status === 'late_paid';
}

export function canTransitionRefund(from: RefundStatus, to: RefundStatus): boolean {
  return refundTransitions[from].includes(to);
}

/** Statuses a payment may be in for a move to `to`: the guard of the conditional UPDATE. */
export function sourcesOf(to: PaymentStatus): PaymentStatus[] {
  return paymentStatuses.filter((from) => canTransition(from, to));
}

/**
 * The steps from `from` to `target`, e.g. created → succeeded = [paying, succeeded] (a channel may
 * report a payment before we recorded that the order reached it). Empty when no legal path exists.
 */
export function pathTo(from: PaymentStatus, target: PaymentStatus): PaymentStatus[] {
  if (from === target) return [];
  if (canTransition(from, target)) return [target];
  for (const middle of paymentTransitions[from]) {
    if (canTransition(middle, target)) return [middle, target];
  }
  return [];
}

export type ChannelStateLike = 'pending' | 'paying' | 'succeeded' | 'closed' | 'failed' | 'not_found';

/** The local status a channel trade state asks for; null when it asks for nothing (still waiting). */
export function targetOfChannelState(state: ChannelStateLike): PaymentStatus | null {
  switch (state) {
    case 'succeeded':
      return 'succeeded';
    case 'closed':
      return 'closed';
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}
