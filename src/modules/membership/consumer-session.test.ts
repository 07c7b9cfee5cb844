import { describe, expect, it } from 'vitest';
import { issueSession, readSession, refreshedSession, SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS } from './consumer-session.js';

const config = { secretKey: 's'.repeat(40) };
const t0 = new Date('2026-11-26T04:00:00Z');
const plus = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const input = { merchantId: 'mch_a', memberId: 'mem_a', personId: 'per_a' };

describe('member session cookie', () => {
  it('is valid for its idle time, then gone', () => {
    const cookie = issueSession(config, input, t0);
    expect(readSession(config, cookie, plus(60))).toMatchObject(input);
    expect(readSession(config, cookie, plus(SESSION_IDLE_SECONDS))).toBeNull();
    expect(readSession({ secretKey: 'x'.repeat(40) }, cookie, plus(1))).toBeNull();
  });

  it('is refreshed while used, but never past the absolute limit', () => {
    let cookie = issueSession(config, input, t0);
    expect(refreshedSession(config, readSession(config, cookie, plus(60))!, plus(60))).toBeNull();
    let at = 0;
    // Used every 20 minutes: each visit refreshes the cookie, until 12 h from sign-in.
    while (at + 20 * 60 < SESSION_ABSOLUTE_SECONDS) {
      at += 20 * 60;
      const session = readSession(config, cookie, plus(at));
      expect(session, `at ${at}`).not.toBeNull();
      cookie = refreshedSession(config, session!, plus(at)) ?? cookie;
    }
    expect(readSession(config, cookie, plus(SESSION_ABSOLUTE_SECONDS))).toBeNull();
  });
});
