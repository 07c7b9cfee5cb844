// The sandbox channels' signing keys: generated once at first use and kept sealed in
// payments_sandbox_keys (see docs/decisions/0003-sandbox-gateway.md for why not derived).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { createSecretBox, type SecretBox } from '../../../kernel/secret-box.js';
import { sandboxKeys } from './schema.js';

export type SandboxKeyName = 'wechatpay_public_key' | 'wechatpay_platform_certificate' | 'alipay';

export interface SandboxKey {
  readonly serial: string;
  readonly publicKeyPem: string;
  readonly privateKey: KeyObject;
}

export type SandboxKeys = Readonly<Record<SandboxKeyName, SandboxKey>>;

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

async function loadOrCreate(db: Db, box: SecretBox): Promise<SandboxKeys> {
  const read = () => db.select().from(sandboxKeys).where(inArray(sandboxKeys.name, [...NAMES]));
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
  for (const row of rows) {
    keys[row.name as SandboxKeyName] = { serial: row.serial, publicKeyPem: row.publicKey, privateKey: createPrivateKey(box.open(row.sealedPrivateKey)) };
  }
  return keys;
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
