import { describe, expect, it } from 'vitest';
import { ruleApplies } from './gift-rule-match.js';

const join = { trigger: 'join', enabled: true, storeIds: null, minAmountFen: null };
const payment = { trigger: 'payment', enabled: true, storeIds: null, minAmountFen: 10_000 };

describe('gift rule matching', () => {
  it('matches the trigger and only when enabled', () => {
    expect(ruleApplies(join, { trigger: 'join', storeId: null, amountFen: null })).toBe(true);
    expect(ruleApplies(join, { trigger: 'payment', storeId: null, amountFen: 50_000 })).toBe(false);
    expect(ruleApplies({ ...join, enabled: false }, { trigger: 'join', storeId: null, amountFen: null })).toBe(false);
  });

  it('needs the payment to reach the minimum, inclusive', () => {
    expect(ruleApplies(payment, { trigger: 'payment', storeId: 's1', amountFen: 9_999 })).toBe(false);
    expect(ruleApplies(payment, { trigger: 'payment', storeId: 's1', amountFen: 10_000 })).toBe(true);
    expect(ruleApplies({ ...payment, minAmountFen: null }, { trigger: 'payment', storeId: 's1', amountFen: 1 })).toBe(true);
  });

  it('limits to the named stores; an unknown store never matches a store-limited rule', () => {
    const limited = { ...payment, storeIds: ['s1', 's2'] };
    expect(ruleApplies(limited, { trigger: 'payment', storeId: 's2', amountFen: 20_000 })).toBe(true);
    expect(ruleApplies(limited, { trigger: 'payment', storeId: 's3', amountFen: 20_000 })).toBe(false);
    expect(ruleApplies({ ...join, storeIds: ['s1'] }, { trigger: 'join', storeId: null, amountFen: null })).toBe(false);
    expect(ruleApplies({ ...join, storeIds: [] }, { trigger: 'join', storeId: null, amountFen: null })).toBe(true);
  });
});
