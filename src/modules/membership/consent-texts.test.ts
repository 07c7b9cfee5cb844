import { describe, expect, it } from 'vitest';
import { consentText, consentTextSha256, LATEST_CONSENT_VERSION } from './consent-texts.js';

const names = { merchant: '示例咖啡', program: '示例咖啡 会员' };

describe('consent texts', () => {
  it('name the merchant and program, with marketing as its own purpose', () => {
    const text = consentText('v1', names);
    expect(text.membership).toContain('示例咖啡 会员');
    expect(text.membership).not.toContain('营销');
    expect(text.marketing).toContain('不勾选不影响加入会员');
  });

  it('hash the exact words shown: another merchant name is another hash', () => {
    const a = consentTextSha256(consentText('v1', names));
    expect(a).toBe(consentTextSha256(consentText('v1', names)));
    expect(a).not.toBe(consentTextSha256(consentText('v1', { ...names, merchant: '别家' })));
  });

  it('show the latest known text, under its own version, for a version this build does not know', () => {
    expect(consentText('v99', names).version).toBe(LATEST_CONSENT_VERSION);
  });
});
