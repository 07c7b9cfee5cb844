import { describe, expect, it } from 'vitest';
import { birthdaysCelebratedOn, ruleApplies, shanghaiDate } from './gift-rule-match.js';

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

describe('tiers and birthdays', () => {
  it('limits a rule to the named tiers; members without a tier do not match a tier-limited rule', () => {
    const birthday = { trigger: 'birthday', enabled: true, storeIds: null, minAmountFen: null, tierCodes: ['gold', 'platinum'] };
    expect(ruleApplies(birthday, { trigger: 'birthday', storeId: null, amountFen: null, tierCode: 'gold' })).toBe(true);
    expect(ruleApplies(birthday, { trigger: 'birthday', storeId: null, amountFen: null, tierCode: 'silver' })).toBe(false);
    expect(ruleApplies(birthday, { trigger: 'birthday', storeId: null, amountFen: null, tierCode: null })).toBe(false);
    expect(ruleApplies({ ...birthday, tierCodes: null }, { trigger: 'birthday', storeId: null, amountFen: null, tierCode: null })).toBe(true);
  });

  it('celebrates 29 February on 28 February of common years only', () => {
    expect(birthdaysCelebratedOn('2026-11-26')).toEqual(['11-26']);
    expect(birthdaysCelebratedOn('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(birthdaysCelebratedOn('2028-02-28')).toEqual(['02-28']);
    expect(birthdaysCelebratedOn('2028-02-29')).toEqual(['02-29']);
    expect(birthdaysCelebratedOn('2100-02-28')).toEqual(['02-28', '02-29']);
    expect(() => birthdaysCelebratedOn('26-11-2026')).toThrow(RangeError);
  });

  it('counts days in Shanghai time', () => {
    expect(shanghaiDate(new Date('2026-11-25T15:59:59Z'))).toBe('2026-11-25');
    expect(shanghaiDate(new Date('2026-11-25T16:00:00Z'))).toBe('2026-11-26');
  });
});
