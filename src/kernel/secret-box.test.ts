import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.js';

describe('secret box', () => {
  const box = createSecretBox('k'.repeat(43), 'webhooks');
  it('round-trips and never repeats a ciphertext', () => {
    const a = box.seal('whsec_abc');
    expect(box.open(a)).toBe('whsec_abc');
    expect(box.seal('whsec_abc')).not.toBe(a);
  });
  it('refuses a tampered ciphertext and another purpose key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[2]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], flipped.toString('base64url'), parts[3]].join('.'))).toThrow();
    expect(() => createSecretBox('k'.repeat(43), 'channels').open(sealed)).toThrow();
  });
});
