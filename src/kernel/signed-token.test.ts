import { describe, expect, it } from 'vitest';
import { signedTokens } from './signed-token.js';

const key = 'k'.repeat(40);
const now = new Date('2026-11-26T04:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('signed tokens', () => {
  it('round-trips a payload until it expires', () => {
    const tokens = signedTokens<{ a: string }>(key, 'test');
    const token = tokens.sign({ a: 'x' }, later(60));
    expect(tokens.verify(token, now)).toMatchObject({ a: 'x' });
    expect(tokens.verify(token, later(59))).not.toBeNull();
    expect(tokens.verify(token, later(60))).toBeNull();
  });

  it('refuses another purpose, another key, a changed payload and garbage', () => {
    const tokens = signedTokens<{ a: string }>(key, 'test');
    const token = tokens.sign({ a: 'x' }, later(60));
    expect(signedTokens<{ a: string }>(key, 'other').verify(token, now)).toBeNull();
    expect(signedTokens<{ a: string }>('j'.repeat(40), 'test').verify(token, now)).toBeNull();
    const [, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ a: 'y', exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
    expect(tokens.verify(forged, now)).toBeNull();
    for (const bad of [undefined, '', 'abc', 'a.b.c', `${token}x`, '.']) expect(tokens.verify(bad, now)).toBeNull();
  });
});
