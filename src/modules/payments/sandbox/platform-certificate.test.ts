import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issuePlatformCertificate } from './platform-certificate.js';

describe('sandbox platform certificates', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2031-01-01T00:00:00Z');

  it('are X.509 certificates node:crypto reads: serial, validity, subject, key, self-signature', () => {
    const pem = issuePlatformCertificate({ serial: 'F157F09EFDC096DE15EBE81A47057A7232F1B8E1', privateKey, notBefore, notAfter });
    const certificate = new X509Certificate(pem);
    expect(certificate.serialNumber.toUpperCase().replace(/^0+/, '')).toBe('F157F09EFDC096DE15EBE81A47057A7232F1B8E1');
    expect(new Date(certificate.validFrom).getTime()).toBe(notBefore.getTime());
    expect(new Date(certificate.validTo).getTime()).toBe(notAfter.getTime());
    expect(certificate.subject).toContain('CN=Tenpay.com sign (sandbox)');
    expect(certificate.publicKey.export({ type: 'spki', format: 'pem' })).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
    expect(certificate.verify(publicKey)).toBe(true);
  });

  it('are the same bytes for the same key, serial and validity (nothing but the key is stored)', () => {
    const input = { serial: '0ABC', privateKey, notBefore, notAfter: new Date('2055-06-01T00:00:00Z') };
    expect(issuePlatformCertificate(input)).toBe(issuePlatformCertificate(input));
    expect(new Date(new X509Certificate(issuePlatformCertificate(input)).validTo).getUTCFullYear()).toBe(2055);
  });
});
