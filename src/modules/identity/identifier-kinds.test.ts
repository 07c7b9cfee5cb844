import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDENTIFIER_KINDS,
  IDENTIFIER_KIND_SPECS,
  identifierKey,
  identifierScope,
  identifierStrength,
  isIdentifierKind,
  normaliseIdentifier,
  sharingRule,
  type IdentifierKind,
  type NormaliseOptions,
} from './identifier-kinds.js';

const APPID = 'wxd678efh567hg6787';
const ALIPAY_APPID = '2021000123456789';

function value(kind: IdentifierKind, raw: string, opts?: NormaliseOptions): string {
  const result = normaliseIdentifier(kind, raw, opts);
  if (!result.ok) throw new Error(`${kind} ${raw} rejected: ${result.code}`);
  return result.value;
}

function code(kind: IdentifierKind, raw: string, opts?: NormaliseOptions): string {
  const result = normaliseIdentifier(kind, raw, opts);
  return result.ok ? `accepted as ${result.value}` : result.code;
}

describe('masked phones', () => {
  it('keep the shown digits, accept spacing, refuse anything but 3 digits, 4 stars, 4 digits', () => {
    expect(value('masked_phone', '138 **** 5678')).toBe('138****5678');
    expect(code('masked_phone', '13812345678')).toBe('masked_phone_format');
    expect(code('masked_phone', '138***5678')).toBe('masked_phone_format');
    expect(identifierStrength('masked_phone', true)).toBe('weak');
  });
});

describe('identifier kinds', () => {
  it('is a closed list with a spec for each kind', () => {
    expect(Object.keys(IDENTIFIER_KIND_SPECS).sort()).toEqual([...IDENTIFIER_KINDS].sort());
    expect(isIdentifierKind('phone')).toBe(true);
    expect(isIdentifierKind('qq_number')).toBe(false);
  });

  it('grades strength as the issue lists it, a verified phone being strong', () => {
    expect(identifierStrength('wechat_unionid', false)).toBe('strong');
    expect(identifierStrength('card_number', false)).toBe('strong');
    expect(identifierStrength('phone', true)).toBe('strong');
    expect(identifierStrength('phone', false)).toBe('medium');
    for (const kind of ['wechat_openid', 'alipay_user_id', 'alipay_open_id', 'email', 'external_id'] as const) {
      expect(identifierStrength(kind, false)).toBe('medium');
    }
    expect(identifierStrength('device_id', false)).toBe('weak');
    // Verification promotes phones only: a "verified" device id is still a shared tablet.
    expect(identifierStrength('device_id', true)).toBe('weak');
  });

  it('lets only weak identifiers belong to many persons', () => {
    expect(sharingRule('strong')).toBe('one_person_per_merchant');
    expect(sharingRule('medium')).toBe('one_person_per_merchant');
    expect(sharingRule('weak')).toBe('many_persons');
  });

  it('keys and scopes identifiers', () => {
    expect(identifierKey({ kind: 'wechat_openid', value: `${APPID}:oX` })).toBe(`wechat_openid:${APPID}:oX`);
    expect(identifierScope({ kind: 'wechat_openid', value: `${APPID}:oX` })).toBe(APPID);
    expect(identifierScope({ kind: 'phone', value: '13812345678' })).toBeUndefined();
  });
});

describe('normaliseIdentifier: phone', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['0086-138-1234-5678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['(+86) 199 0000 1111', '19900001111'],
    ['１３８１２３４５６７８', '13812345678'],
    ['  138-1234-5678 ', '13812345678'],
  ])('normalises mainland %s to %s', (raw, expected) => {
    const result = normaliseIdentifier('phone', raw);
    expect(result).toMatchObject({ ok: true, value: expected, phoneRegion: 'cn_mainland' });
  });

  it('rejects mainland numbers with a specific reason', () => {
    expect(code('phone', '1381234567')).toBe('phone_wrong_length');
    expect(code('phone', '138123456789')).toBe('phone_wrong_length');
    expect(code('phone', '+86 138 1234 567')).toBe('phone_wrong_length');
    expect(code('phone', '12812345678')).toBe('phone_invalid_prefix');
    expect(code('phone', '23812345678')).toBe('phone_invalid_prefix');
    expect(code('phone', '010-12345678')).toBe('phone_landline');
    expect(code('phone', '+86 21 5555 1234')).toBe('phone_landline');
    expect(code('phone', '138****5678')).toBe('invalid_characters');
    expect(code('phone', 'call me')).toBe('invalid_characters');
    expect(code('phone', '   ')).toBe('empty');
  });

  it('accepts other countries in E.164 form, marked international', () => {
    expect(normaliseIdentifier('phone', '+1 (415) 555-2671')).toMatchObject({
      ok: true,
      value: '+14155552671',
      phoneRegion: 'international',
      strength: 'medium',
    });
    expect(value('phone', '00852 9123 4567')).toBe('+85291234567');
    expect(code('phone', '+0123456789')).toBe('phone_international_invalid');
    expect(code('phone', '+1234567890123456')).toBe('phone_international_invalid');
    expect(code('phone', '+12345')).toBe('phone_international_invalid');
  });

  it('is strong only when verified', () => {
    expect(normaliseIdentifier('phone', '13812345678', { verified: true })).toMatchObject({
      strength: 'strong',
      sharing: 'one_person_per_merchant',
      verified: true,
    });
    expect(normaliseIdentifier('phone', '13812345678')).toMatchObject({ strength: 'medium', verified: false });
    expect(normaliseIdentifier('phone', '+14155552671', { verified: true })).toMatchObject({ strength: 'strong' });
  });

  it('normalises any spelling of a mainland mobile to the same 11 digits', () => {
    const digits = fc.tuple(fc.constantFrom('3', '4', '5', '6', '7', '8', '9'), fc.stringMatching(/^\d{9}$/));
    const prefix = fc.constantFrom('', '+86', '+86 ', '0086', '0086-', '86');
    fc.assert(
      fc.property(digits, prefix, fc.constantFrom('', ' ', '-'), ([second, rest], country, separator) => {
        const national = `1${second}${rest}`;
        const spelled = `${country}${national.slice(0, 3)}${separator}${national.slice(3, 7)}${separator}${national.slice(7)}`;
        expect(value('phone', spelled)).toBe(national);
      }),
    );
  });
});

describe('normaliseIdentifier: scoped channel ids', () => {
  it('scopes a WeChat openid by its appid', () => {
    expect(value('wechat_openid', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', { appId: APPID })).toBe(
      `${APPID}:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o`,
    );
    // A stored value normalises to itself, so values can be re-validated on the way back in.
    expect(value('wechat_openid', `${APPID}:oUpF8u`)).toBe(`${APPID}:oUpF8u`);
    expect(value('wechat_openid', `${APPID}:oUpF8u`, { appId: APPID })).toBe(`${APPID}:oUpF8u`);
  });

  it('refuses an openid without a valid, consistent appid', () => {
    expect(code('wechat_openid', 'oUpF8u')).toBe('scope_required');
    expect(code('wechat_openid', 'oUpF8u', { appId: 'not-an-appid' })).toBe('scope_invalid');
    expect(code('wechat_openid', `${APPID}:oUpF8u`, { appId: 'wx0000000000000000' })).toBe('scope_mismatch');
    expect(code('wechat_openid', 'oUp F8u', { appId: APPID })).toBe('invalid_characters');
    expect(code('wechat_openid', `${APPID}:`)).toBe('empty');
  });

  it('scopes an Alipay open_id by its application', () => {
    expect(value('alipay_open_id', '074a1CcTG1LelxKe4xQC0zgNdId0', { appId: ALIPAY_APPID })).toBe(
      `${ALIPAY_APPID}:074a1CcTG1LelxKe4xQC0zgNdId0`,
    );
    expect(code('alipay_open_id', '074a1Cc', { appId: APPID })).toBe('scope_invalid');
  });

  it('scopes an external id by its partner, partner key lowercased', () => {
    expect(value('external_id', 'U-1001', { partner: 'Meituan' })).toBe('meituan:U-1001');
    expect(value('external_id', 'meituan:user/42:b')).toBe('meituan:user/42:b');
    expect(code('external_id', 'U-1001')).toBe('scope_required');
    expect(code('external_id', 'has space', { partner: 'meituan' })).toBe('invalid_characters');
  });

  it('keeps unionids case-sensitive and validates Alipay user ids', () => {
    expect(value('wechat_unionid', ' o6_bmasdasdsad6_2sgVt7hMZOPfL ')).toBe('o6_bmasdasdsad6_2sgVt7hMZOPfL');
    expect(code('wechat_unionid', 'o6/bm')).toBe('invalid_characters');
    expect(value('alipay_user_id', '2088102122524333')).toBe('2088102122524333');
    expect(code('alipay_user_id', '2088102122524')).toBe('alipay_user_id_format');
    expect(code('alipay_user_id', '1088102122524333')).toBe('alipay_user_id_format');
  });
});

describe('normaliseIdentifier: email, card, device', () => {
  it('lowercases and trims emails', () => {
    expect(normaliseIdentifier('email', '  Li.Lei@Example.COM ')).toMatchObject({
      ok: true,
      value: 'li.lei@example.com',
      strength: 'medium',
    });
    expect(value('email', 'ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ')).toBe('li@example.cn');
    expect(value('email', 'wang@例子.中国')).toBe('wang@例子.中国');
  });

  it.each(['li', 'li@', '@example.com', 'li@example', 'li@@example.com', 'li lei@example.com', 'li@-x.com', '.li@example.com', 'li@example.c0m'])(
    'rejects %s',
    (raw) => {
      expect(code('email', raw)).toBe('email_invalid');
    },
  );

  it('compacts card numbers and refuses odd ones', () => {
    expect(value('card_number', ' vip 8800-1234 ')).toBe('VIP88001234');
    expect(code('card_number', '12')).toBe('card_number_format');
    expect(code('card_number', '会员卡123')).toBe('card_number_format');
  });

  it('keeps device ids as given and weak, shared by many', () => {
    expect(normaliseIdentifier('device_id', 'c0ffee-42', { verified: true })).toMatchObject({
      ok: true,
      value: 'c0ffee-42',
      strength: 'weak',
      sharing: 'many_persons',
      verified: false,
    });
    expect(code('device_id', 'a b')).toBe('invalid_characters');
    expect(code('device_id', 'x'.repeat(257))).toBe('too_long');
  });

  it('is idempotent: a normalised value normalises to itself for every kind', () => {
    const samples: Array<[IdentifierKind, string, NormaliseOptions]> = [
      ['wechat_openid', 'oAbc_1', { appId: APPID }],
      ['wechat_unionid', 'uAbc-2', {}],
      ['alipay_user_id', '2088000000000001', {}],
      ['alipay_open_id', 'oa1', { appId: ALIPAY_APPID }],
      ['phone', '+86 138 0000 0000', {}],
      ['phone', '+44 20 7946 0958', {}],
      ['card_number', 'ab-12 34', {}],
      ['email', 'A@B.CN', {}],
      ['external_id', 'x1', { partner: 'Dianping' }],
      ['device_id', 'dev-1', {}],
    ];
    for (const [kind, raw, opts] of samples) {
      const once = value(kind, raw, opts);
      expect(value(kind, once)).toBe(once);
    }
  });
});
