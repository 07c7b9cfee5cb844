// The sandbox channels' signing keys: generated once at first use and kept sealed in
// payments_sandbox_keys (see docs/decisions/0003-sandbox-gateway.md for why not derived).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { inArray, like, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { createSecretBox, type SecretBox } from '../../../kernel/secret-box.js';
import { issuePlatformCertificate, SANDBOX_CERTIFICATE_VALIDITY_MS } from './platform-certificate.js';
import { sandboxKeys } from './schema.js';

export type SandboxKeyName = 'wechatpay_public_key' | 'wechatpay_platform_certificate' | 'alipay';

export interface SandboxKey {
  readonly serial: string;
  readonly publicKeyPem: string;
  readonly privateKey: KeyObject;
}

export interface SandboxPlatformCertificate extends SandboxKey {
  readonly certificatePem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * `wechatpay_platform_certificate` is the certificate the sandbox signs with now (the newest);
 * `wechatpayPlatformCertificates` every one /v3/certificates lists (older ones stay valid after a
 * rotation, as WeChat Pay overlaps them).
 */
export type SandboxKeys = Readonly<Record<SandboxKeyName, SandboxKey>> & {
  readonly wechatpay_platform_certificate: SandboxPlatformCertificate;
  readonly wechatpayPlatformCertificates: readonly SandboxPlatformCertificate[];
};

// Rotated platform certificates are further rows named `wechatpay_platform_certificate:<serial>`.
const ROTATED_PREFIX = 'wechatpay_platform_certificate:';

const NAMES: readonly SandboxKeyName[] = ['wechatpay_public_key', 'wechatpay_platform_certificate', 'alipay'];

export function sandboxSecretBox(secretKey: string): SecretBox {
  return createSecretBox(secretKey, 'payments-sandbox');
}

export function generateRsaKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function serialFor(name: SandboxKeyName): string {
  if (name === 'wechatpay_public_key') return `PUB_KEY_ID_01${Array.from({ length: 20 }, () => String(randomInt(10))).join('')}`;
  if (name === 'wechatpay_platform_certificate') return randomBytes(20).toString('hex').toUpperCase();
  return '';
}

// Keys are per database (tests run many apps in one process), loaded once each.
const loaded = new WeakMap<Db, Promise<SandboxKeys>>();

function platformCertificateOf(row: { serial: string; publicKey: string; createdAt: Date }, privateKey: KeyObject): SandboxPlatformCertificate {
  const notBefore = new Date(Math.floor(row.createdAt.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + SANDBOX_CERTIFICATE_VALIDITY_MS);
  const certificatePem = issuePlatformCertificate({ serial: row.serial, privateKey, notBefore, notAfter });
  return { serial: row.serial, publicKeyPem: row.publicKey, privateKey, certificatePem, notBefore, notAfter };
}

async function loadOrCreate(db: Db, box: SecretBox): Promise<SandboxKeys> {
  const read = () => db.select().from(sandboxKeys).where(or(inArray(sandboxKeys.name, [...NAMES]), like(sandboxKeys.name, `${ROTATED_PREFIX}%`)));
  let rows = await read();
  const missing = NAMES.filter((name) => !rows.some((row) => row.name === name));
  if (missing.length) {
    const fresh = missing.map((name) => {
      const pair = generateRsaKeyPair();
      return { name, serial: serialFor(name), publicKey: pair.publicKeyPem, sealedPrivateKey: box.seal(pair.privateKeyPem) };
    });
    // Two processes starting together: the first insert wins, both then read the same keys.
    await db.insert(sandboxKeys).values(fresh).onConflictDoNothing();
    rows = await read();
  }
  const keys = {} as Record<SandboxKeyName, SandboxKey>;
  const certificates: SandboxPlatformCertificate[] = [];
  // Newest first by creation time to the millisecond: a rotation within the same second as the
  // previous certificate (notBefore is whole seconds) must still be the one that signs.
  const newestFirst = [...rows].sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || Number(y.name.startsWith(ROTATED_PREFIX)) - Number(x.name.startsWith(ROTATED_PREFIX)));
  for (const row of newestFirst) {
    const privateKey = createPrivateKey(box.open(row.sealedPrivateKey));
    if (row.name === 'wechatpay_platform_certificate' || row.name.startsWith(ROTATED_PREFIX)) certificates.push(platformCertificateOf(row, privateKey));
    if ((NAMES as readonly string[]).includes(row.name)) keys[row.name as SandboxKeyName] = { serial: row.serial, publicKeyPem: row.publicKey, privateKey };
  }
  const [signing] = certificates;
  if (!signing) throw new Error('sandbox: no platform certificate');
  return { ...keys, wechatpay_platform_certificate: signing, wechatpayPlatformCertificates: certificates };
}

/**
 * Issues a new platform certificate and signs with it from now on; the older ones stay listed.
 * Other processes (workers) pick it up at their next start and keep signing with an older,
 * still valid certificate until then, which the adapter accepts as well.
 */
export async function rotateSandboxPlatformCertificate(db: Db, secretKey: string, now: Date): Promise<SandboxKeys> {
  const box = sandboxSecretBox(secretKey);
  const pair = generateRsaKeyPair();
  const serial = serialFor('wechatpay_platform_certificate');
  await db.insert(sandboxKeys).values({ name: `${ROTATED_PREFIX}${serial}`, serial, publicKey: pair.publicKeyPem, sealedPrivateKey: box.seal(pair.privateKeyPem), createdAt: now });
  loaded.delete(db);
  return sandboxKeysFor(db, secretKey);
}

export function sandboxKeysFor(db: Db, secretKey: string): Promise<SandboxKeys> {
  let keys = loaded.get(db);
  if (!keys) {
    keys = loadOrCreate(db, sandboxSecretBox(secretKey));
    keys.catch(() => loaded.delete(db));
    loaded.set(db, keys);
  }
  return keys;
}

export function publicKeyOf(pem: string): KeyObject {
  return createPublicKey(pem);
}
