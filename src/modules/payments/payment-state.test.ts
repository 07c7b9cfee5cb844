import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, canTransitionRefund, chargedAtChannel, isTerminal, lateSuccessSources, paidAtChannel, pathTo, paymentStatuses, refundStatuses, sourcesOf, targetOfChannelState } from './payment-state.js';

const status = fc.constantFrom(...paymentStatuses);

describe('payment state machine', () => {
  it('allows only the documented transitions', () => {
    const allowed = paymentStatuses.flatMap((from) => paymentStatuses.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(
      ['created->paying', 'created->failed', 'created->closed', 'paying->succeeded', 'paying->failed', 'paying->closed'].sort(),
    );
  });

  it('never leaves a terminal state and never reaches created again (property)', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), (requests) => {
        let current = 'created' as (typeof paymentStatuses)[number];
        const visited = [current];
        for (const wanted of requests) {
          for (const step of pathTo(current, wanted)) {
            expect(canTransition(current, step)).toBe(true);
            current = step;
            visited.push(current);
          }
        }
        const firstTerminal = visited.findIndex((s) => isTerminal(s));
        if (firstTerminal >= 0) expect(visited.slice(firstTerminal).every((s) => s === visited[firstTerminal])).toBe(true);
        expect(visited.slice(1)).not.toContain('created');
      }),
    );
  });

  it('finds a two-step path from created to succeeded and none out of terminal states', () => {
    expect(pathTo('created', 'succeeded')).toEqual(['paying', 'succeeded']);
    expect(pathTo('paying', 'succeeded')).toEqual(['succeeded']);
    for (const terminal of ['succeeded', 'failed', 'closed', 'late_paid'] as const) {
      expect(isTerminal(terminal)).toBe(true);
      for (const to of paymentStatuses) if (to !== terminal) expect(pathTo(terminal, to)).toEqual([]);
    }
  });

  it('guards conditional updates with exactly the legal sources', () => {
    expect(sourcesOf('succeeded')).toEqual(['paying']);
    expect(sourcesOf('closed').sort()).toEqual(['created', 'paying']);
    expect(sourcesOf('created')).toEqual([]);
  });

  it('reaches late_paid only from a given-up order, and never by the ordinary machine', () => {
    expect(lateSuccessSources).toEqual(['closed', 'failed']);
    for (const from of paymentStatuses) expect(canTransition(from, 'late_paid')).toBe(false);
    expect(sourcesOf('late_paid')).toEqual([]);
    expect(paidAtChannel('late_paid')).toBe(true);
    expect(paidAtChannel('closed')).toBe(false);
  });

  it('counts only a trade still paid as charging the buyer (not one refunded or cancelled since)', () => {
    for (const state of ['SUCCESS', 'TRADE_SUCCESS', 'TRADE_FINISHED']) expect(chargedAtChannel(state)).toBe(true);
    for (const state of ['REFUND', 'TRADE_CLOSED', 'REVOKED', 'CLOSED', 'USERPAYING']) expect(chargedAtChannel(state)).toBe(false);
  });

  it('maps channel states to targets and waits on pending ones', () => {
    expect(targetOfChannelState('succeeded')).toBe('succeeded');
    expect(targetOfChannelState('paying')).toBeNull();
    expect(targetOfChannelState('pending')).toBeNull();
    expect(targetOfChannelState('not_found')).toBeNull();
    expect(targetOfChannelState('closed')).toBe('closed');
  });

  it('lets a refund leave processing once only', () => {
    for (const from of refundStatuses) {
      for (const to of refundStatuses) expect(canTransitionRefund(from, to)).toBe(from === 'processing' && to !== 'processing');
    }
  });
});
