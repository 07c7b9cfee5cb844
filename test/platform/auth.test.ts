import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
});
afterAll(() => t.close());

describe('console login', () => {
  it('sets an httpOnly SameSite session cookie and answers who I am', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'owner', password: 'memberplus2026' } });
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/mp_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(json(response)).toMatchObject({ role: 'merchant_owner', merchant_id: t.demo.merchantId });
  });

  it('rejects a wrong password without saying whether the login exists', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'admin', password: 'nope-nope-1' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'nobody', password: 'nope-nope-1' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(json(wrong).code).toBe('invalid_credentials');
    expect(json(unknown).code).toBe('invalid_credentials');
  });

  it('locks the account after too many failures, even for the right password, and an owner can unlock it', async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'guide', password: `wrong-${i}-password` } });
    }
    const locked = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'guide', password: 'memberplus2026' } });
    expect(locked.statusCode).toBe(423);
    expect(json(locked).code).toBe('account_locked');

    const owner = await t.login('owner');
    const guide = t.demo.logins.find((l) => l.login === 'guide')!;
    const unlock = await t.app.inject({ method: 'PATCH', url: `/v1/staff/${guide.userId}`, headers: { cookie: owner }, payload: { unlock: true } });
    expect(unlock.statusCode).toBe(200);
    expect(json(unlock).locked_until).toBeNull();
    await expect(t.login('guide')).resolves.toMatch(/^mp_session=/);

    const audit = await t.app.inject({ method: 'GET', url: '/v1/audit-log?action=auth.lockout', headers: { cookie: owner } });
    expect(json<{ items: { target_id: string }[] }>(audit).items.map((e) => e.target_id)).toContain(guide.userId);
  });

  it('logs out: the cookie no longer works', async () => {
    const cookie = await t.login('admin');
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie } })).statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(json(after).code).toBe('unauthenticated');
  });

  it('changes the password: the old one stops working and other sessions end', async () => {
    const first = await t.login('manager');
    const second = await t.login('manager');
    const weak = await t.app.inject({ method: 'POST', url: '/v1/auth/password', headers: { cookie: first }, payload: { current_password: 'memberplus2026', new_password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(json(weak).code).toBe('password_too_weak');
    const badCurrent = await t.app.inject({ method: 'POST', url: '/v1/auth/password', headers: { cookie: first }, payload: { current_password: 'not-it-123', new_password: 'a-new-password-7' } });
    expect(json(badCurrent).code).toBe('password_mismatch');
    const changed = await t.app.inject({ method: 'POST', url: '/v1/auth/password', headers: { cookie: first }, payload: { current_password: 'memberplus2026', new_password: 'a-new-password-7' } });
    expect(changed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: first } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: second } })).statusCode).toBe(401);
    await expect(t.login('manager')).rejects.toThrow(/401/);
    await expect(t.login('manager', 'a-new-password-7')).resolves.toMatch(/^mp_session=/);
  });

  it('refuses API requests without credentials and with a forged key', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/stores' })).statusCode).toBe(401);
    const forged = t.demo.apiKey.slice(0, -3) + 'xyz';
    const response = await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { authorization: `Bearer ${forged}` } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
