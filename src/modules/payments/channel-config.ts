// Channel accounts: per merchant and channel, the credentials the adapter needs. Private keys and the
// APIv3 key are sealed at rest ('payment-channels' secret box) and never returned: the API shows
// identifiers, public keys, the certificate serial and fingerprints of the secrets.
import { createHash, createPublicKey } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { createSecretBox } from '../../kernel/secret-box.js';
import { appendAudit, authorize, findMerchantById, requireMerchantId, type AccessContext } from '../platform/index.js';
import type { ChannelName } from './channels/adapter.js';
import { ChannelCredentials, credentialSecretFields, withoutSecrets, type AlipayCredentials, type WechatpayCredentials } from './channels/channel-credentials.js';
import { paymentErrors } from './errors.js';
import { channelAccounts, operatorChannelAccounts } from './schema.js';

export type ChannelAccountRow = typeof channelAccounts.$inferSelect;
export type Environment = 'sandbox' | 'production';

/** The operator's 服务商 / ISV credentials, shared by every merchant onboarded "via operator". */
export type OperatorWechatpayCredentials = Omit<WechatpayCredentials, 'account'> & { readonly account: { readonly sp_mchid: string; readonly sp_appid: string } };
export type OperatorAlipayCredentials = Omit<AlipayCredentials, 'account'> & { readonly account: { readonly app_id: string; readonly sys_service_provider_id: string } };
export type OperatorCredentials = OperatorWechatpayCredentials | OperatorAlipayCredentials;

/** What a merchant row holds: full credentials of its own, or just its sub-merchant ids under the operator's. */
export type MerchantChannelSetup =
  | { readonly kind: 'own'; readonly credentials: ChannelCredentials }
  | { readonly kind: 'via_operator'; readonly channel: 'wechatpay'; readonly sub_mchid: string; readonly sub_appid?: string | undefined }
  | { readonly kind: 'via_operator'; readonly channel: 'alipay'; readonly app_auth_token: string };

const secretBox = (config: Pick<Config, 'secretKey'>) => createSecretBox(config.secretKey, 'payment-channels');

type Secrets = Partial<Record<(typeof credentialSecretFields)[number] | 'app_auth_token' | 'oauth_app_secret', string>>;

function splitSecrets(value: Record<string, unknown>): { shown: Record<string, unknown>; secrets: Secrets } {
  const secrets: Secrets = {};
  const shown: Record<string, unknown> = { ...value };
  for (const field of [...credentialSecretFields, 'app_auth_token'] as const) {
    if (typeof shown[field] === 'string') secrets[field] = shown[field];
    delete shown[field];
  }
  // The ISV's app_auth_token sits inside `account` in the credentials shape.
  const account = shown.account as Record<string, unknown> | undefined;
  if (account && typeof account.app_auth_token === 'string') {
    secrets.app_auth_token = account.app_auth_token;
    shown.account = Object.fromEntries(Object.entries(account).filter(([k]) => k !== 'app_auth_token'));
  }
  // The official account's AppSecret (web OAuth) sits inside `oauth`.
  const oauth = shown.oauth as Record<string, unknown> | undefined;
  if (oauth && typeof oauth.app_secret === 'string') {
    secrets.oauth_app_secret = oauth.app_secret;
    shown.oauth = Object.fromEntries(Object.entries(oauth).filter(([k]) => k !== 'app_secret'));
  }
  return { shown, secrets };
}

function joinSecrets(shown: Record<string, unknown>, secrets: Secrets): Record<string, unknown> {
  const { app_auth_token: token, oauth_app_secret: oauthSecret, ...rest } = secrets;
  const joined: Record<string, unknown> = { ...shown, ...rest };
  if (oauthSecret !== undefined && joined.oauth && typeof joined.oauth === 'object') joined.oauth = { ...(joined.oauth as object), app_secret: oauthSecret };
  if (token !== undefined) {
    if (joined.account && typeof joined.account === 'object') joined.account = { ...(joined.account as object), app_auth_token: token };
    else joined.app_auth_token = token;
  }
  return joined;
}

export function fingerprintOf(secret: string): string {
  try {
    if (secret.startsWith('-----BEGIN')) {
      // A private key's fingerprint is its public key's, so it can be matched with the merchant's own records.
      const spki = createPublicKey(secret).export({ type: 'spki', format: 'der' });
      return `sha256:${createHash('sha256').update(spki).digest('hex').slice(0, 32)}`;
    }
  } catch {
    // not a parsable key: fall through to the plain digest
  }
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`;
}

function environmentOf(value: Record<string, unknown>): Environment {
  return value.environment === 'production' ? 'production' : 'sandbox';
}

export interface ChannelAccountView {
  readonly id: string;
  readonly channel: ChannelName;
  readonly mode: string;
  readonly environment: Environment;
  readonly config: Record<string, unknown>;
  readonly secretFingerprints: Record<string, string>;
  readonly feeRatePpm: number;
  readonly costRatePpm: number;
  readonly status: string;
  readonly updatedAt: Date;
}

function viewOf(row: ChannelAccountRow, config: Pick<Config, 'secretKey'>): ChannelAccountView {
  const secrets = row.sealedSecrets ? (JSON.parse(secretBox(config).open(row.sealedSecrets)) as Secrets) : {};
  return {
    id: row.id,
    channel: row.channel as ChannelName,
    mode: row.mode,
    environment: row.environment as Environment,
    config: row.publicConfig as Record<string, unknown>,
    secretFingerprints: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, fingerprintOf(v)])),
    feeRatePpm: row.feeRatePpm,
    costRatePpm: row.costRatePpm,
    status: row.status,
    updatedAt: row.updatedAt,
  };
}

export async function getChannelAccount(db: Db, config: Config, ctx: AccessContext, channel: ChannelName): Promise<ChannelAccountView> {
  authorize(ctx, 'payment_channels.read');
  const merchantId = requireMerchantId(ctx);
  const [row] = await db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, merchantId), eq(channelAccounts.channel, channel)));
  if (!row) throw paymentErrors.make('channel_not_configured', `no ${channel} account configured`);
  return viewOf(row, config);
}

export async function listChannelAccounts(db: Db, config: Config, ctx: AccessContext): Promise<ChannelAccountView[]> {
  authorize(ctx, 'payment_channels.read');
  const merchantId = requireMerchantId(ctx);
  const rows = await db.select().from(channelAccounts).where(eq(channelAccounts.merchantId, merchantId));
  return rows.map((row) => viewOf(row, config));
}

export interface ChannelAccountInput {
  readonly setup: MerchantChannelSetup;
  readonly environment: Environment;
  readonly status?: 'active' | 'disabled' | undefined;
}

function validateSetup(channel: ChannelName, setup: MerchantChannelSetup): { mode: string; shown: Record<string, unknown>; secrets: Secrets } {
  if (setup.kind === 'own') {
    if (setup.credentials.channel !== channel) throw paymentErrors.make('channel_config_invalid', `credentials are for ${setup.credentials.channel}, not ${channel}`);
    if (!Value.Check(ChannelCredentials, setup.credentials)) throw paymentErrors.make('channel_config_invalid', 'credentials do not match the channel schema');
    for (const field of credentialSecretFields) {
      const pem = (setup.credentials as Record<string, unknown>)[field];
      if (typeof pem === 'string' && pem.startsWith('-----BEGIN')) {
        try {
          createPublicKey(pem);
        } catch {
          throw paymentErrors.make('channel_config_invalid', `${field} is not a readable private key`);
        }
      }
    }
    const { shown, secrets } = splitSecrets(setup.credentials as unknown as Record<string, unknown>);
    return { mode: setup.credentials.account.mode, shown, secrets };
  }
  if (setup.channel !== channel) throw paymentErrors.make('channel_config_invalid', `setup is for ${setup.channel}, not ${channel}`);
  const { shown, secrets } = splitSecrets({ ...setup });
  return { mode: 'via_operator', shown, secrets };
}

/** Creates or replaces the merchant's account at a channel; rates stay as the operator set them. */
export async function putChannelAccount(db: Db, config: Pick<Config, 'secretKey'>, ctx: AccessContext, channel: ChannelName, input: ChannelAccountInput): Promise<ChannelAccountView> {
  authorize(ctx, 'payment_channels.write');
  const merchantId = requireMerchantId(ctx);
  const { mode, shown, secrets } = validateSetup(channel, input.setup);
  const sealed = Object.keys(secrets).length ? secretBox(config).seal(JSON.stringify(secrets)) : null;
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, merchantId), eq(channelAccounts.channel, channel))).for('update');
    const values = { mode, environment: input.environment, publicConfig: shown, sealedSecrets: sealed, status: input.status ?? 'active', updatedAt: new Date() };
    const [row] = existing
      ? await tx.update(channelAccounts).set(values).where(and(eq(channelAccounts.merchantId, merchantId), eq(channelAccounts.id, existing.id))).returning()
      : await tx.insert(channelAccounts).values({ merchantId, id: newId('channelAccount'), channel, ...values }).returning();
    const view = viewOf(row!, config);
    await appendAudit(tx, ctx, {
      action: 'payment_channel.put',
      targetType: 'payment_channel_account',
      targetId: row!.id,
      before: existing ? { mode: existing.mode, environment: existing.environment, config: existing.publicConfig } : undefined,
      after: { mode, environment: input.environment, config: shown, secret_fingerprints: view.secretFingerprints },
    });
    return view;
  });
}

/** Fee and channel cost rates are the operator's to set (fees are what the merchant pays the operator). */
export async function setChannelRates(db: Db, ctx: AccessContext, merchantId: string, channel: ChannelName, rates: { feeRatePpm: number; costRatePpm: number }): Promise<void> {
  authorize(ctx, 'operator.payment_rates.write');
  if (ctx.merchantId) throw paymentErrors.make('operator_only');
  // Only the operator's own merchants: the update below is keyed by merchant id alone.
  const merchant = await findMerchantById(db, merchantId);
  if (!merchant || merchant.operatorId !== ctx.operatorId) throw paymentErrors.make('merchant_not_found');
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(channelAccounts)
      .set({ feeRatePpm: rates.feeRatePpm, costRatePpm: rates.costRatePpm, updatedAt: new Date() })
      .where(and(eq(channelAccounts.merchantId, merchantId), eq(channelAccounts.channel, channel)))
      .returning();
    if (!row) throw paymentErrors.make('channel_not_configured', `merchant has no ${channel} account`);
    await appendAudit(tx, ctx, { action: 'payment_channel.rates', targetType: 'payment_channel_account', targetId: row.id, after: { merchant_id: merchantId, ...rates } });
  });
}

export interface OperatorChannelView {
  readonly channel: ChannelName;
  readonly environment: Environment;
  readonly config: Record<string, unknown>;
  readonly secretFingerprints: Record<string, string>;
  readonly updatedAt: Date;
}

export async function putOperatorChannelAccount(db: Db, config: Config, ctx: AccessContext, credentials: OperatorCredentials, environment: Environment): Promise<OperatorChannelView> {
  authorize(ctx, 'operator.payment_channels.write');
  if (ctx.merchantId) throw paymentErrors.make('operator_only');
  const { shown, secrets } = splitSecrets(credentials as unknown as Record<string, unknown>);
  const sealed = secretBox(config).seal(JSON.stringify(secrets));
  return db.transaction(async (tx) => {
    const values = { environment, publicConfig: shown, sealedSecrets: sealed, updatedAt: new Date() };
    const [row] = await tx
      .insert(operatorChannelAccounts)
      .values({ operatorId: ctx.operatorId, channel: credentials.channel, ...values })
      .onConflictDoUpdate({ target: [operatorChannelAccounts.operatorId, operatorChannelAccounts.channel], set: values })
      .returning();
    const fingerprints = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, fingerprintOf(v)]));
    await appendAudit(tx, ctx, { action: 'operator_payment_channel.put', targetType: 'operator_payment_channel', targetId: credentials.channel, after: { config: shown, secret_fingerprints: fingerprints } });
    return { channel: row!.channel as ChannelName, environment, config: shown, secretFingerprints: fingerprints, updatedAt: row!.updatedAt };
  });
}

/** The API's shape: exactly one of own credentials or sub-merchant ids under the operator. */
export async function putChannelAccountFromApi(
  db: Db,
  config: Config,
  ctx: AccessContext,
  channel: ChannelName,
  body: { credentials?: ChannelCredentials | undefined; viaOperator?: { sub_mchid: string; sub_appid?: string | undefined } | { app_auth_token: string } | undefined; environment: Environment; status?: 'active' | 'disabled' | undefined },
): Promise<ChannelAccountView> {
  authorize(ctx, 'payment_channels.write');
  const { credentials, viaOperator } = body;
  if ((credentials === undefined) === (viaOperator === undefined)) throw paymentErrors.make('channel_config_invalid', 'send exactly one of credentials and via_operator');
  let setup: MerchantChannelSetup;
  if (credentials) setup = { kind: 'own', credentials };
  else if (channel === 'wechatpay' && viaOperator && 'sub_mchid' in viaOperator) setup = { kind: 'via_operator', channel, sub_mchid: viaOperator.sub_mchid, sub_appid: viaOperator.sub_appid };
  else if (channel === 'alipay' && viaOperator && 'app_auth_token' in viaOperator) setup = { kind: 'via_operator', channel, app_auth_token: viaOperator.app_auth_token };
  else throw paymentErrors.make('channel_config_invalid', channel === 'wechatpay' ? 'via_operator needs sub_mchid' : 'via_operator needs app_auth_token');
  return putChannelAccount(db, config, ctx, channel, { setup, environment: body.environment, status: body.status });
}

type OperatorBody = {
  environment: Environment;
  wechatpay?: Omit<OperatorWechatpayCredentials, 'channel' | 'account'> & { sp_mchid: string; sp_appid: string };
  alipay?: Omit<OperatorAlipayCredentials, 'channel' | 'account'> & { app_id: string; sys_service_provider_id: string };
};

export async function putOperatorChannelAccountFromApi(db: Db, config: Config, ctx: AccessContext, channel: ChannelName, body: OperatorBody): Promise<OperatorChannelView> {
  authorize(ctx, 'operator.payment_channels.write');
  if (ctx.merchantId) throw paymentErrors.make('operator_only');
  let credentials: OperatorCredentials;
  if (channel === 'wechatpay' && body.wechatpay) {
    const { sp_mchid, sp_appid, ...rest } = body.wechatpay;
    credentials = { channel, account: { sp_mchid, sp_appid }, ...rest };
  } else if (channel === 'alipay' && body.alipay) {
    const { app_id, sys_service_provider_id, ...rest } = body.alipay;
    credentials = { channel, account: { app_id, sys_service_provider_id }, ...rest };
  } else throw paymentErrors.make('channel_config_invalid', `send the ${channel} object`);
  return putOperatorChannelAccount(db, config, ctx, credentials, body.environment);
}

export async function getOperatorChannelAccount(db: Db, config: Config, ctx: AccessContext, channel: ChannelName): Promise<OperatorChannelView> {
  authorize(ctx, 'operator.payment_channels.read');
  if (ctx.merchantId) throw paymentErrors.make('operator_only');
  const [row] = await db.select().from(operatorChannelAccounts).where(and(eq(operatorChannelAccounts.operatorId, ctx.operatorId), eq(operatorChannelAccounts.channel, channel)));
  if (!row) throw paymentErrors.make('channel_not_configured', `the operator has no ${channel} service-provider account`);
  const secrets = row.sealedSecrets ? (JSON.parse(secretBox(config).open(row.sealedSecrets)) as Secrets) : {};
  return {
    channel,
    environment: environmentOf({ environment: row.environment }),
    config: row.publicConfig as Record<string, unknown>,
    secretFingerprints: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, fingerprintOf(v)])),
    updatedAt: row.updatedAt,
  };
}

// ---- for the payment domain (no access checks: callers have done theirs) ----

export async function activeAccount(db: Db, merchantId: string, channel: ChannelName): Promise<ChannelAccountRow> {
  const [row] = await db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, merchantId), eq(channelAccounts.channel, channel)));
  if (!row || row.status !== 'active') throw paymentErrors.make('channel_not_configured', `no active ${channel} account`);
  return row;
}

export async function accountById(db: Db, accountId: string): Promise<ChannelAccountRow | null> {
  const [row] = await db.select().from(channelAccounts).where(eq(channelAccounts.id, accountId));
  return row ?? null;
}

/** The full credentials an adapter needs: the merchant's own, or the operator's with the merchant's sub ids. */
export async function credentialsOf(db: Db, config: Config, account: ChannelAccountRow, operatorId: string): Promise<ChannelCredentials> {
  const secrets = account.sealedSecrets ? (JSON.parse(secretBox(config).open(account.sealedSecrets)) as Secrets) : {};
  const own = joinSecrets(account.publicConfig as Record<string, unknown>, secrets);
  if (account.mode !== 'via_operator') return own as unknown as ChannelCredentials;
  const [operatorRow] = await db
    .select()
    .from(operatorChannelAccounts)
    .where(and(eq(operatorChannelAccounts.operatorId, operatorId), eq(operatorChannelAccounts.channel, account.channel)));
  if (!operatorRow) throw paymentErrors.make('channel_not_configured', `the operator has no ${account.channel} service-provider account`);
  const operatorSecrets = operatorRow.sealedSecrets ? (JSON.parse(secretBox(config).open(operatorRow.sealedSecrets)) as Secrets) : {};
  const operator = joinSecrets(operatorRow.publicConfig as Record<string, unknown>, operatorSecrets) as unknown as OperatorCredentials;
  if (operator.channel === 'wechatpay') {
    const sub = own as { sub_mchid: string; sub_appid?: string };
    return {
      ...operator,
      account: { mode: 'service_provider', sp_mchid: operator.account.sp_mchid, sp_appid: operator.account.sp_appid, sub_mchid: sub.sub_mchid, ...(sub.sub_appid && { sub_appid: sub.sub_appid }) },
    };
  }
  const token = (own as { app_auth_token: string }).app_auth_token;
  return { ...operator, account: { mode: 'isv', app_id: operator.account.app_id, sys_service_provider_id: operator.account.sys_service_provider_id, app_auth_token: token } };
}

export { withoutSecrets };
