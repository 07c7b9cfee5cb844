import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptsOneTimeValue, CODE_STEP_SECONDS, memberCode, oneTimeValue, parseMemberCode, timeStep } from './member-code.js';

const secret = randomBytes(20).toString('base64url');
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 4, 0, 0) + seconds * 1000);

describe('member code', () => {
  it('is the card number and six digits, accepted in its step and the next only', () => {
    const made = at(5);
    const { code, expiresAt } = memberCode('8123456789012345', secret, 'mch_a', made);
    expect(code).toMatch(/^8123456789012345[0-9]{6}$/);
    const parsed = parseMemberCode(code)!;
    expect(parsed.cardNumber).toBe('8123456789012345');
    expect(acceptsOneTimeValue(secret, 'mch_a', parsed.otp, made)).toBe(true);
    expect(acceptsOneTimeValue(secret, 'mch_a', parsed.otp, new Date(made.getTime() + CODE_STEP_SECONDS * 1000))).toBe(true);
    expect(acceptsOneTimeValue(secret, 'mch_a', parsed.otp, new Date(made.getTime() + 2 * CODE_STEP_SECONDS * 1000))).toBe(false);
    expect(acceptsOneTimeValue(secret, 'mch_a', parsed.otp, new Date(made.getTime() - CODE_STEP_SECONDS * 1000))).toBe(false);
    expect(expiresAt.getTime()).toBe((timeStep(made) + 2) * CODE_STEP_SECONDS * 1000);
  });

  it('differs per merchant, per secret and per step', () => {
    const step = timeStep(at(0));
    const value = oneTimeValue(secret, 'mch_a', step);
    expect(acceptsOneTimeValue(secret, 'mch_b', value, at(0))).toBe(false);
    expect(acceptsOneTimeValue(randomBytes(20).toString('base64url'), 'mch_a', value, at(0))).toBe(false);
    const values = new Set(Array.from({ length: 50 }, (_, i) => oneTimeValue(secret, 'mch_a', step + i)));
    expect(values.size).toBeGreaterThan(45);
  });

  it('parses only digit strings of a plausible length', () => {
    for (const bad of ['', 'abc', '12345', '8123456789012345abcdef', '1'.repeat(27)]) expect(parseMemberCode(bad)).toBeNull();
    expect(parseMemberCode(' 123456789012 ')).toEqual({ cardNumber: '123456', otp: '789012' });
  });
});
