import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Aes } from 'wechatpay-axios-plugin';
import { issuePlatformCertificate } from '../sandbox/platform-certificate.js';
import { createPlatformKeyring, normaliseSerial, readCertificateList, type PlatformCertificate } from './wechatpay-certificates.js';

const API_V3_KEY = 'abcdefghijABCDEFGHIJ0123456789xy';
const DAY = 24 * 3600 * 1000;
const now = new Date('2026-03-01T00:00:00Z');

function keyPair() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function certificate(serial: string, privateKey: KeyObject, from = new Date(now.getTime() - DAY), to = new Date(now.getTime() + 365 * DAY)): string {
  return issuePlatformCertificate({ serial, privateKey, notBefore: from, notAfter: to });
}

// Sealed by wechatpay-axios-plugin, the independent implementation: our reader must open it.
function listBody(entries: readonly { serial: string; pem: string }[], tamper?: (ciphertext: string) => string): string {
  return JSON.stringify({
    data: entries.map(({ serial, pem }) => {
      const nonce = 'a1b2c3d4e5f6';
      const ciphertext = Aes.AesGcm.encrypt(pem, API_V3_KEY, nonce, 'certificate') as string;
      return {
        serial_no: serial,
        effective_time: '2026-02-28T08:00:00+08:00',
        expire_time: '2027-03-01T08:00:00+08:00',
        encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext: tamper ? tamper(ciphertext) : ciphertext },
      };
    }),
  });
}

describe('readCertificateList (GET /v3/certificates)', () => {
  const { privateKey, publicKey } = keyPair();
  const serial = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
  const pem = certificate(serial, privateKey);

  it('opens certificates sealed by wechatpay-axios-plugin and reads serial and validity from them', () => {
    const result = readCertificateList(listBody([{ serial, pem }]), API_V3_KEY, now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [first] = result.certificates;
    expect(first?.serialNo).toBe(serial);
    expect(first?.expiresAt.getTime()).toBe(new Date(new X509Certificate(pem).validTo).getTime());
    expect(new X509Certificate(first?.certificatePem ?? '').publicKey.export({ type: 'spki', format: 'pem' })).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('what we decrypt is what the plugin decrypts', () => {
    const body = JSON.parse(listBody([{ serial, pem }])) as { data: { encrypt_certificate: { ciphertext: string; nonce: string } }[] };
    const sealed = body.data[0]!.encrypt_certificate;
    expect(Aes.AesGcm.decrypt(sealed.ciphertext, API_V3_KEY, sealed.nonce, 'certificate')).toBe(pem);
  });

  it('fails the whole answer on a flipped tag byte, a wrong key, a serial that is not the certificate’s, or garbage', () => {
    const flip = (ciphertext: string) => {
      const bytes = Buffer.from(ciphertext, 'base64');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    expect(readCertificateList(listBody([{ serial, pem }], flip), API_V3_KEY, now)).toEqual({ ok: false, reason: 'decrypt_failed' });
    expect(readCertificateList(listBody([{ serial, pem }]), 'x'.repeat(32), now)).toEqual({ ok: false, reason: 'decrypt_failed' });
    expect(readCertificateList(listBody([{ serial: 'ABCDEF', pem }]), API_V3_KEY, now)).toEqual({ ok: false, reason: 'bad_certificate' });
    expect(readCertificateList(listBody([{ serial, pem: 'not a certificate' }]), API_V3_KEY, now)).toEqual({ ok: false, reason: 'bad_certificate' });
    expect(readCertificateList('{"data":[]}', API_V3_KEY, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(readCertificateList('<html>', API_V3_KEY, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('leaves out certificates already expired', () => {
    const old = certificate('0A', keyPair().privateKey, new Date(now.getTime() - 400 * DAY), new Date(now.getTime() - DAY));
    const result = readCertificateList(listBody([{ serial: '0A', pem: old }, { serial, pem }]), API_V3_KEY, now);
    expect(result.ok && result.certificates.map((c) => c.serialNo)).toEqual([serial]);
  });

  it('compares serials as hex numbers', () => {
    expect(normaliseSerial('00ab12')).toBe('AB12');
    expect(normaliseSerial('0')).toBe('0');
  });
});

describe('the platform keyring', () => {
  function cert(serial: string, days: number): PlatformCertificate {
    const { privateKey } = keyPair();
    const pem = certificate(serial, privateKey, new Date(now.getTime() - DAY), new Date(now.getTime() + days * DAY));
    return { serialNo: serial, certificatePem: pem, effectiveAt: new Date(now.getTime() - DAY), expiresAt: new Date(now.getTime() + days * DAY) };
  }

  it('downloads on an unknown serial, caches in the store, and loads from the store without a download', async () => {
    const first = cert('AA01', 365);
    const saved: PlatformCertificate[] = [];
    let downloads = 0;
    const store = { load: async () => [...saved], save: async (certificates: readonly PlatformCertificate[]) => void saved.push(...certificates) };
    const ring = createPlatformKeyring({ pinned: [], store, download: async () => (downloads++, [first]) });
    expect(ring.lookup('AA01', now)).toBeUndefined();
    await ring.ensure('AA01', now);
    expect(ring.lookup('aa01', now)).toBeDefined();
    expect(downloads).toBe(1);
    expect(saved.map((c) => c.serialNo)).toEqual(['AA01']);

    const again = createPlatformKeyring({ pinned: [], store, download: async () => (downloads++, [first]) });
    await again.ensure('AA01', now);
    expect(again.lookup('AA01', now)).toBeDefined();
    expect(downloads).toBe(1);
  });

  it('refreshes before the newest certificate expires, and not more than once a minute for unknown serials', async () => {
    const expiring = cert('BB01', 3);
    const next = cert('BB02', 365);
    let answer = [expiring];
    let downloads = 0;
    const ring = createPlatformKeyring({ pinned: [], download: async () => (downloads++, answer) });
    await ring.ensure('BB01', now);
    expect(downloads).toBe(1);
    answer = [expiring, next];
    // Known serial, but the only certificate expires within a week: refresh (once the interval has passed).
    await ring.ensure('BB01', new Date(now.getTime() + 61_000));
    expect(downloads).toBe(2);
    expect(ring.lookup('BB02', now)).toBeDefined();
    // A forged serial: one download, then quiet for a minute.
    await ring.ensure('FFFF', new Date(now.getTime() + 200_000));
    await ring.ensure('FFFE', new Date(now.getTime() + 201_000));
    expect(downloads).toBe(3);
    // Public-key ids never trigger a download; expired certificates do not verify.
    await ring.ensure('PUB_KEY_ID_0112345', new Date(now.getTime() + 400_000));
    expect(downloads).toBe(3);
    expect(ring.lookup('BB01', new Date(now.getTime() + 4 * DAY))).toBeUndefined();
  });

  it('a failed download leaves the serial unknown and is retried later', async () => {
    let fail = true;
    const good = cert('CC01', 365);
    const ring = createPlatformKeyring({ pinned: [], download: async () => {
      if (fail) throw new Error('network');
      return [good];
    } });
    await ring.ensure('CC01', now);
    expect(ring.lookup('CC01', now)).toBeUndefined();
    fail = false;
    await ring.ensure('CC01', new Date(now.getTime() + 61_000));
    expect(ring.lookup('CC01', now)).toBeDefined();
  });
});
