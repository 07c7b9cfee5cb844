import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentifierKind, PersonIdentifier } from './identifier-kinds.js';
import { decideMerge } from './merge-decision.js';

const APP = 'wxd678efh567hg6787';
const OTHER_APP = 'wx1111111111111111';

function id(kind: IdentifierKind, value: string, verified = false): PersonIdentifier {
  return { kind, value, verified };
}

describe('decideMerge', () => {
  it('merges automatically on a shared unionid with nothing contradicting it', () => {
    const unionid = id('wechat_unionid', 'u1');
    const decision = decideMerge({
      first: [unionid, id('wechat_openid', `${APP}:o1`), id('phone', '13800000001', true)],
      second: [unionid, id('email', 'a@b.cn')],
      link: unionid,
    });
    expect(decision.outcome).toBe('auto_merge');
    expect(decision.conflicts).toEqual([]);
    expect(decision.evidence).toEqual([{ kind: 'wechat_unionid', value: 'u1', strength: 'strong' }]);
    expect(decision.reasons.join('\n')).toContain('proven the same by strong evidence');
  });

  it('merges automatically on a phone verified by both persons', () => {
    const phone = id('phone', '13800000001', true);
    const decision = decideMerge({
      first: [phone, id('wechat_openid', `${APP}:o1`)],
      second: [phone, id('alipay_user_id', '2088000000000001')],
      link: phone,
    });
    expect(decision.outcome).toBe('auto_merge');
  });

  it('does not treat a phone verified by one person only as proof', () => {
    const decision = decideMerge({
      first: [id('phone', '13800000001', true)],
      second: [id('phone', '13800000001', false)],
      link: id('phone', '13800000001', true),
    });
    expect(decision.outcome).toBe('no_merge');
    expect(decision.evidence).toEqual([{ kind: 'phone', value: '13800000001', strength: 'medium' }]);
    expect(decision.reasons.join('\n')).toContain('verified by one person only');
  });

  it('sends two persons with different verified phones to review even if they share an openid', () => {
    const openid = id('wechat_openid', `${APP}:o1`);
    const decision = decideMerge({
      first: [openid, id('phone', '13800000001', true)],
      second: [openid, id('phone', '13900000002', true)],
      link: openid,
    });
    expect(decision.outcome).toBe('review');
    expect(decision.conflicts).toEqual([
      {
        kind: 'phone',
        first: ['13800000001'],
        second: ['13900000002'],
        reason: 'different verified phones: 13800000001 vs 13900000002',
      },
    ]);
  });

  it('sends a strong link to review when the persons hold different unionids or cards', () => {
    const phone = id('phone', '13800000001', true);
    const decision = decideMerge({
      first: [phone, id('wechat_unionid', 'u1'), id('card_number', 'VIP001')],
      second: [phone, id('wechat_unionid', 'u2'), id('card_number', 'VIP002')],
      link: phone,
    });
    expect(decision.outcome).toBe('review');
    expect(decision.conflicts.map((conflict) => conflict.kind)).toEqual(['wechat_unionid', 'card_number']);
  });

  it('catches a family sharing a phone: two WeChat accounts of the same app', () => {
    // The wife verified the husband's phone with a code he read out; her own WeChat is still hers.
    const phone = id('phone', '13800000001', true);
    const decision = decideMerge({
      first: [phone, id('wechat_openid', `${APP}:husband`)],
      second: [phone, id('wechat_openid', `${APP}:wife`)],
      link: phone,
    });
    expect(decision.outcome).toBe('review');
    expect(decision.conflicts).toEqual([
      expect.objectContaining({ kind: 'wechat_openid', scope: APP, first: [`${APP}:husband`], second: [`${APP}:wife`] }),
    ]);
  });

  it('does not see a conflict in openids of different apps, unverified phones or extra emails', () => {
    const unionid = id('wechat_unionid', 'u1');
    const decision = decideMerge({
      first: [unionid, id('wechat_openid', `${APP}:o1`), id('phone', '13800000001'), id('email', 'a@b.cn')],
      second: [unionid, id('wechat_openid', `${OTHER_APP}:o9`), id('phone', '13900000002'), id('email', 'c@d.cn')],
      link: unionid,
    });
    expect(decision.outcome).toBe('auto_merge');
  });

  it('accepts a person with several verified phones sharing one of them', () => {
    const shared = id('phone', '13800000001', true);
    const decision = decideMerge({
      first: [shared, id('phone', '13700000003', true)],
      second: [shared, id('phone', '13900000002', true)],
      link: shared,
    });
    expect(decision.outcome).toBe('auto_merge');
  });

  it('never merges on medium evidence alone', () => {
    const openid = id('wechat_openid', `${APP}:o1`);
    const decision = decideMerge({ first: [openid, id('email', 'a@b.cn')], second: [openid, id('email', 'a@b.cn')], link: openid });
    expect(decision.outcome).toBe('no_merge');
    expect(decision.reasons.at(-1)).toContain('never merge automatically');
  });

  it('ignores conflicts between persons who share only a weak identifier', () => {
    const device = id('device_id', 'shop-tablet');
    const decision = decideMerge({
      first: [device, id('phone', '13800000001', true)],
      second: [device, id('phone', '13900000002', true)],
      link: device,
    });
    expect(decision.outcome).toBe('no_merge');
    expect(decision.conflicts).toHaveLength(1);
    expect(decision.reasons.at(-1)).toContain('only weak evidence');
  });

  it('fails closed when the link is not held by both persons', () => {
    const decision = decideMerge({
      first: [id('wechat_unionid', 'u1')],
      second: [id('wechat_unionid', 'u1')],
      link: id('card_number', 'VIP001'),
    });
    expect(decision.outcome).toBe('no_merge');
    expect(decision.reasons).toEqual(['the linking card_number VIP001 is not held by both persons']);
  });

  it('never auto-merges when any conflict is listed, whatever the identifiers', () => {
    const kinds: IdentifierKind[] = ['wechat_unionid', 'wechat_openid', 'phone', 'card_number', 'email', 'device_id'];
    const identifier = fc.record({
      kind: fc.constantFrom(...kinds),
      value: fc.constantFrom(`${APP}:a`, `${APP}:b`, 'x', 'y'),
      verified: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(identifier, { maxLength: 6 }), fc.array(identifier, { maxLength: 6 }), identifier, (first, second, link) => {
        const decision = decideMerge({ first: [...first, link], second: [...second, link], link });
        if (decision.conflicts.length > 0) expect(decision.outcome).not.toBe('auto_merge');
        if (decision.outcome === 'auto_merge') expect(decision.evidence.some((shared) => shared.strength === 'strong')).toBe(true);
        expect(decision.reasons.length).toBeGreaterThan(0);
      }),
    );
  });

  it('is symmetric in outcome', () => {
    const phone = id('phone', '13800000001', true);
    const first = [phone, id('card_number', 'A1')];
    const second = [phone, id('card_number', 'B2')];
    expect(decideMerge({ first, second, link: phone }).outcome).toBe(decideMerge({ first: second, second: first, link: phone }).outcome);
  });
});
