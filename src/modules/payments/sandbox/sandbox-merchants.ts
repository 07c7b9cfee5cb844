// Merchants and apps registered with the sandbox channels. `GET /sandbox/credentials/…` creates one
// and hands back complete credentials (merchant private key included) for demo and test setup; the
// sandbox keeps only the public key, as a real channel does.
import { randomBytes, randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import type { AlipayCredentials, WechatpayCredentials } from '../channels/channel-credentials.js';
import { generateRsaKeyPair, sandboxSecretBox, type SandboxKeys } from './sandbox-keys.js';
import { sandboxMerchants } from './schema.js';

export type SandboxMerchant = typeof sandboxMerchants.$inferSelect;

function digits(count: number): string {
  return Array.from({ length: count }, () => String(randomInt(10))).join('');
}

function alphanumeric(count: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: count }, () => alphabet[randomInt(alphabet.length)]).join('');
}

export function newSandboxId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

export interface WechatpayRegistration {
  readonly mode: 'service_provider' | 'direct';
  readonly verification: 'public_key' | 'platform_certificate';
  readonly name: string;
  readonly baseUrl: string;
  /** Set up web OAuth (an AppSecret for the app); the sandbox's OAuth endpoints live under this URL. */
  readonly oauthBaseUrl?: string | undefined;
}

export async function registerWechatpayMerchant(db: Db, secretKey: string, keys: SandboxKeys, input: WechatpayRegistration): Promise<WechatpayCredentials> {
  const pair = generateRsaKeyPair();
  const serial = randomBytes(20).toString('hex').toUpperCase();
  const apiV3Key = alphanumeric(32);
  const callerId = `19${digits(8)}`;
  const appId = `wx${randomBytes(8).toString('hex')}`;
  const subId = input.mode === 'service_provider' ? `16${digits(8)}` : null;
  const subAppId = input.mode === 'service_provider' ? `wx${randomBytes(8).toString('hex')}` : null;
  const appSecret = input.oauthBaseUrl ? randomBytes(16).toString('hex') : null;
  await db.insert(sandboxMerchants).values({
    id: newSandboxId('sbm'),
    channel: 'wechatpay',
    mode: input.mode,
    callerId,
    subId,
    appId,
    subAppId,
    name: input.name,
    keySerial: serial,
    publicKey: pair.publicKeyPem,
    sealedApiV3Key: sandboxSecretBox(secretKey).seal(apiV3Key),
    verification: input.verification,
    sealedAppSecret: appSecret ? sandboxSecretBox(secretKey).seal(appSecret) : null,
  });
  const platform: WechatpayCredentials['platform'] =
    input.verification === 'public_key'
      ? { mode: 'public_key', public_key_id: keys.wechatpay_public_key.serial, public_key: keys.wechatpay_public_key.publicKeyPem }
      : // As a real merchant: no certificate configured; the adapter downloads them from /v3/certificates.
        { mode: 'platform_certificate' };
  return {
    channel: 'wechatpay',
    account:
      input.mode === 'service_provider'
        ? { mode: 'service_provider', sp_mchid: callerId, sp_appid: appId, sub_mchid: subId ?? '', sub_appid: subAppId ?? '' }
        : { mode: 'direct', mchid: callerId, appid: appId },
    merchant_serial_no: serial,
    merchant_private_key: pair.privateKeyPem,
    api_v3_key: apiV3Key,
    platform,
    base_url: input.baseUrl,
    // OAuth runs on the app that issued the openid the JSAPI order names (appid, or sp_appid in 服务商 mode).
    ...(appSecret && input.oauthBaseUrl
      ? { oauth: { appid: appId, app_secret: appSecret, authorize_url: `${input.oauthBaseUrl}/connect/oauth2/authorize`, api_base_url: input.oauthBaseUrl } }
      : {}),
  };
}

export interface AlipayRegistration {
  readonly mode: 'isv' | 'direct';
  readonly name: string;
  readonly gatewayUrl: string;
  readonly oauthAuthorizeUrl?: string | undefined;
}

export async function registerAlipayApp(db: Db, keys: SandboxKeys, input: AlipayRegistration): Promise<AlipayCredentials> {
  const pair = generateRsaKeyPair();
  const appId = `2021${digits(12)}`;
  const token = input.mode === 'isv' ? `202611BB${randomBytes(16).toString('hex')}` : null;
  const serviceProviderId = input.mode === 'isv' ? `2088${digits(12)}` : null;
  await db.insert(sandboxMerchants).values({
    id: newSandboxId('sbm'),
    channel: 'alipay',
    mode: input.mode,
    callerId: appId,
    subId: token,
    appId,
    sellerId: `2088${digits(12)}`,
    serviceProviderId,
    name: input.name,
    publicKey: pair.publicKeyPem,
  });
  return {
    channel: 'alipay',
    account: input.mode === 'isv' ? { mode: 'isv', app_id: appId, app_auth_token: token ?? '', sys_service_provider_id: serviceProviderId ?? '' } : { mode: 'direct', app_id: appId },
    app_private_key: pair.privateKeyPem,
    alipay_public_key: keys.alipay.publicKeyPem,
    gateway_url: input.gatewayUrl,
    ...(input.oauthAuthorizeUrl ? { oauth: { authorize_url: input.oauthAuthorizeUrl } } : {}),
  };
}

/** Every merchant row a caller (mchid / app_id) may sign for. */
export function merchantsOfCaller(db: Db, channel: 'wechatpay' | 'alipay', callerId: string): Promise<SandboxMerchant[]> {
  return db.select().from(sandboxMerchants).where(and(eq(sandboxMerchants.channel, channel), eq(sandboxMerchants.callerId, callerId)));
}

/** The merchant a request acts for: the sub-merchant it names, or the caller itself in direct mode. */
export function pickMerchant(rows: readonly SandboxMerchant[], subId: string | undefined): SandboxMerchant | undefined {
  return subId === undefined ? rows.find((row) => row.subId === null) : rows.find((row) => row.subId === subId);
}

export async function merchantById(db: Db, id: string): Promise<SandboxMerchant | undefined> {
  const [row] = await db.select().from(sandboxMerchants).where(eq(sandboxMerchants.id, id));
  return row;
}

export async function directMerchant(db: Db, channel: 'wechatpay' | 'alipay', callerId: string): Promise<SandboxMerchant | undefined> {
  const [row] = await db
    .select()
    .from(sandboxMerchants)
    .where(and(eq(sandboxMerchants.channel, channel), eq(sandboxMerchants.callerId, callerId), isNull(sandboxMerchants.subId)));
  return row;
}
