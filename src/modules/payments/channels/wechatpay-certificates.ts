// WeChat Pay platform-certificate mode: GET /v3/certificates lists the platform certificates, each
// AEAD_AES_256_GCM-sealed under the merchant's APIv3 key. The seal is what makes a first download
// trustworthy (only WeChat Pay and the merchant know the key), so the answer's own signature is then
// checked with a certificate from the list itself, as WeChat Pay documents for the bootstrap.
// A keyring keeps the certificates per adapter, backed by a store (the database), and refreshes
// when a `Wechatpay-Serial` it does not know appears or when the newest certificate nears expiry.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { decryptWechatpayResource, WECHATPAY_RESOURCE_ALGORITHM } from './wechatpay-aes-gcm.js';
import { wechatpaySerialKind } from './wechatpay-signature.js';

export interface PlatformCertificate {
  /** Upper-case hex, no leading zeros. */
  readonly serialNo: string;
  readonly certificatePem: string;
  readonly effectiveAt: Date;
  readonly expiresAt: Date;
}

/** Where downloaded certificates are kept between processes (per channel account). */
export interface PlatformCertificateStore {
  load(): Promise<readonly PlatformCertificate[]>;
  save(certificates: readonly PlatformCertificate[], fetchedAt: Date): Promise<void>;
}

/** Serials are hex numbers: compare without case or leading zeros (a DER INTEGER may carry a 00). */
export function normaliseSerial(serial: string): string {
  return serial.toUpperCase().replace(/^0+(?=.)/, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type CertificateListResult =
  | { readonly ok: true; readonly certificates: readonly PlatformCertificate[] }
  | { readonly ok: false; readonly reason: 'malformed' | 'decrypt_failed' | 'bad_certificate' };

/**
 * Opens the body of a /v3/certificates answer. Any entry that fails to decrypt, is not a certificate
 * or whose serial differs from the one it is listed under fails the whole answer (it was tampered
 * with); certificates already expired at `now` are left out.
 */
export function readCertificateList(body: string, apiV3Key: string, now: Date): CertificateListResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.data) || parsed.data.length === 0) return { ok: false, reason: 'malformed' };
  const certificates: PlatformCertificate[] = [];
  for (const entry of parsed.data) {
    if (!isRecord(entry) || typeof entry.serial_no !== 'string' || !isRecord(entry.encrypt_certificate)) return { ok: false, reason: 'malformed' };
    const sealed = entry.encrypt_certificate;
    const { algorithm, nonce, ciphertext, associated_data: associatedData = '' } = sealed;
    if (algorithm !== WECHATPAY_RESOURCE_ALGORITHM || typeof nonce !== 'string' || typeof ciphertext !== 'string' || typeof associatedData !== 'string') {
      return { ok: false, reason: 'malformed' };
    }
    const opened = decryptWechatpayResource({ algorithm, nonce, ciphertext, associated_data: associatedData }, apiV3Key);
    if (!opened.ok) return { ok: false, reason: opened.reason === 'authentication_failed' ? 'decrypt_failed' : 'malformed' };
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(opened.plaintext);
    } catch {
      return { ok: false, reason: 'bad_certificate' };
    }
    if (normaliseSerial(certificate.serialNumber) !== normaliseSerial(entry.serial_no)) return { ok: false, reason: 'bad_certificate' };
    const effectiveAt = new Date(certificate.validFrom);
    const expiresAt = new Date(certificate.validTo);
    if (Number.isNaN(effectiveAt.getTime()) || Number.isNaN(expiresAt.getTime())) return { ok: false, reason: 'bad_certificate' };
    if (expiresAt <= now) continue;
    certificates.push({ serialNo: normaliseSerial(certificate.serialNumber), certificatePem: certificate.toString(), effectiveAt, expiresAt });
  }
  return { ok: true, certificates };
}

export interface PlatformKeyringOptions {
  /** Certificates (or bare public keys) configured by hand; they never expire here. */
  readonly pinned: readonly { readonly serialNo: string; readonly key: KeyObject }[];
  readonly store?: PlatformCertificateStore | undefined;
  /** Downloads and verifies /v3/certificates (the adapter's signed call). */
  readonly download: (keyring: PlatformKeyring) => Promise<readonly PlatformCertificate[]>;
  /** Refresh once the newest certificate expires within this; WeChat overlaps old and new for weeks. */
  readonly refreshBeforeExpiryMs?: number;
  /** At most one download per this interval: a flood of forged serials must not become a flood of calls. */
  readonly minRefreshIntervalMs?: number;
}

export interface PlatformKeyring {
  /** The key for a serial, if known and not expired at `now`. */
  lookup(serial: string, now: Date): KeyObject | undefined;
  /**
   * Makes sure `serial` is known if the channel knows it: loads the store, downloads when needed.
   * `source: 'response'` is an answer to our own call (nobody else can make one up), so it may
   * download at once; a notification (anyone can post one) is held to the minimum interval.
   */
  ensure(serial: string, now: Date, source?: 'response' | 'notification'): Promise<void>;
  /** Downloads now (subject to the interval) and returns what the keyring then holds. */
  refresh(now: Date): Promise<void>;
  /** Certificates the keyring holds (downloaded or loaded), newest expiry first. */
  certificates(): readonly PlatformCertificate[];
}

const DAY_MS = 24 * 3600 * 1000;

export function createPlatformKeyring(options: PlatformKeyringOptions): PlatformKeyring {
  const refreshBefore = options.refreshBeforeExpiryMs ?? 7 * DAY_MS;
  const minInterval = options.minRefreshIntervalMs ?? 60_000;
  const pinned = new Map(options.pinned.map((entry) => [normaliseSerial(entry.serialNo), entry.key]));
  const downloaded = new Map<string, { certificate: PlatformCertificate; key: KeyObject }>();
  let loading: Promise<void> | undefined;
  let refreshing: Promise<void> | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;

  const add = (certificates: readonly PlatformCertificate[]) => {
    for (const certificate of certificates) {
      downloaded.set(certificate.serialNo, { certificate, key: new X509Certificate(certificate.certificatePem).publicKey });
    }
  };

  const lookup = (serial: string, now: Date): KeyObject | undefined => {
    const normalised = normaliseSerial(serial);
    const found = downloaded.get(normalised);
    if (found && found.certificate.effectiveAt <= now && found.certificate.expiresAt > now) return found.key;
    return pinned.get(normalised);
  };

  const load = async () => {
    if (!options.store) return;
    loading ??= options.store.load().then(add, (error: unknown) => {
      loading = undefined;
      throw error;
    });
    await loading;
  };

  const refresh = async (now: Date, throttled = true) => {
    if (refreshing) return refreshing;
    if (throttled && now.getTime() - lastAttempt < minInterval) return;
    lastAttempt = now.getTime();
    refreshing = (async () => {
      const certificates = await options.download(keyring);
      add(certificates);
      await options.store?.save(certificates, now);
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const keyring: PlatformKeyring = {
    lookup,
    async ensure(serial, now, source = 'notification') {
      // Only certificate serials can be fetched; a PUB_KEY_ID_… is public-key mode's business.
      if (wechatpaySerialKind(serial) !== 'platform_certificate') return;
      await load();
      const newestExpiry = Math.max(Number.NEGATIVE_INFINITY, ...[...downloaded.values()].map((entry) => entry.certificate.expiresAt.getTime()));
      const expiring = pinned.size === 0 && newestExpiry - now.getTime() < refreshBefore;
      const known = lookup(serial, now) !== undefined;
      if (known && !expiring) return;
      try {
        await refresh(now, known || source === 'notification');
      } catch {
        // The answer will then fail verification as an unknown serial; the next call tries again.
      }
    },
    async refresh(now) {
      await load();
      await refresh(now);
    },
    certificates: () => [...downloaded.values()].map((entry) => entry.certificate).sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime()),
  };
  return keyring;
}

export const PLATFORM_CERTIFICATE_DAY_MS = DAY_MS;
