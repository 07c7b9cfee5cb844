import { describe, expect, it } from 'vitest';
import { isPrivateAddress, isPrivateHostName, publicOnlyLookup } from './webhook-target.js';

describe('webhook targets', () => {
  it('classifies private, loopback, link-local, reserved and mapped addresses', () => {
    for (const address of ['127.0.0.1', '10.0.0.8', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '101.226.1.1', '2400:3200::1', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('treats local host names as private whatever DNS says', () => {
    expect(isPrivateHostName('localhost')).toBe(true);
    expect(isPrivateHostName('api.localhost')).toBe(true);
    expect(isPrivateHostName('nas.local')).toBe(true);
    expect(isPrivateHostName('[::1]')).toBe(true);
    expect(isPrivateHostName('hooks.example.com')).toBe(false);
  });

  it('refuses at connect time a name that resolves inward', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(error?.code).toBe('EPRIVATETARGET');
    expect(error?.message).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS');
  });
});
