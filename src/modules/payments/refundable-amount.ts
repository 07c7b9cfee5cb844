// How much of a payment may still be refunded: what was paid minus every refund that has not
// definitely failed. Refunds still processing at the channel count as spent, so two concurrent
// requests can never together exceed what was paid.

import type { RefundStatus } from './payment-state.js';

export interface RefundLike {
  readonly amountFen: number;
  readonly status: RefundStatus;
}

export function committedRefundFen(refunds: readonly RefundLike[]): number {
  return refunds.reduce((sum, r) => (r.status === 'processing' || r.status === 'succeeded' ? sum + r.amountFen : sum), 0);
}

export function refundableAmount(paidFen: number, refunds: readonly RefundLike[]): number {
  return Math.max(0, paidFen - committedRefundFen(refunds));
}

export type RefundCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'not_positive' | 'exceeds_refundable'; readonly refundableFen: number };

export function checkRefund(paidFen: number, refunds: readonly RefundLike[], requestFen: number): RefundCheck {
  const refundableFen = refundableAmount(paidFen, refunds);
  if (!Number.isSafeInteger(requestFen) || requestFen <= 0) return { ok: false, reason: 'not_positive', refundableFen };
  if (requestFen > refundableFen) return { ok: false, reason: 'exceeds_refundable', refundableFen };
  return { ok: true };
}
