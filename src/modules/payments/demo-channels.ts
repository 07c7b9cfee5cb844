// Demo and test setup: registers the merchant with the built-in sandbox channels and configures both
// channel accounts with the credentials the sandbox hands out, so a fresh install can take payments.
import type { Db } from '../../db/client.js';
import { systemContext } from '../platform/index.js';
import { putChannelAccount, type ChannelAccountView } from './channel-config.js';
import { registerAlipayApp, registerWechatpayMerchant, sandboxKeysFor } from './sandbox/index.js';

export async function configureSandboxChannels(
  db: Db,
  secretKey: string,
  tenant: { operatorId: string; merchantId: string; name: string },
): Promise<{ wechatpay: ChannelAccountView; alipay: ChannelAccountView }> {
  const keys = await sandboxKeysFor(db, secretKey);
  // The base URLs are placeholders: sandbox accounts always reach this server's own PUBLIC_URL.
  const wechatpay = await registerWechatpayMerchant(db, secretKey, keys, { mode: 'direct', verification: 'public_key', name: tenant.name, baseUrl: 'http://127.0.0.1/sandbox/wechatpay' });
  const alipay = await registerAlipayApp(db, keys, { mode: 'direct', name: tenant.name, gatewayUrl: 'http://127.0.0.1/sandbox/alipay/gateway.do' });
  const ctx = systemContext(tenant.operatorId, tenant.merchantId, 'seed');
  const config = { secretKey };
  return {
    wechatpay: await putChannelAccount(db, config, ctx, 'wechatpay', { setup: { kind: 'own', credentials: wechatpay }, environment: 'sandbox' }),
    alipay: await putChannelAccount(db, config, ctx, 'alipay', { setup: { kind: 'own', credentials: alipay }, environment: 'sandbox' }),
  };
}
