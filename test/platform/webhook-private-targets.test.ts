import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';

// Its own file: this app runs with the production default (private targets refused), and each test
// file gets its own database.
describe('private network targets (SSRF)', () => {
  it('refuses local and private URLs when the operator has not allowed them, and names the switch', async () => {
    const guarded = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      const cookie = await guarded.login('owner');
      for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]/hook', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/hook', 'http://printer.local/hook']) {
        const response = await guarded.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie }, payload: { url, event_types: ['*'] } });
        expect(response.statusCode, url).toBe(400);
        expect(response.json(), url).toMatchObject({ code: 'webhook_url_private' });
        expect(response.json<{ detail: string }>().detail).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS');
      }
      const publicTarget = await guarded.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie }, payload: { url: 'https://hooks.example.com/memberplus', event_types: ['*'] } });
      expect(publicTarget.statusCode).toBe(201);
    } finally {
      await guarded.close();
    }
  });
});
