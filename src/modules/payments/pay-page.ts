// The buyer's side of the store QR (一码付): which store, which wallet, and the in-app order
// (WeChat JSAPI / Alipay trade.create) placed against the merchant's own channel account.
import type { Db } from '../../db/client.js';
import { findMerchantById, getStore, systemContext, type AccessContext } from '../platform/index.js';
import type { ChannelName, ChannelPayer } from './channels/adapter.js';
import { activeAccount, credentialsOf, type ChannelAccountRow } from './channel-config.js';
import { paymentErrors } from './errors.js';
import { adapterFor, channelFailure, failUnplacedOrder, insertOrder, loadPayment, moveTo, orderRequest, type PaymentRow, type PaymentsRuntime } from './payment-orders.js';
import { alipayUserId, wechatOpenid } from './sandbox/index.js';
import { findActiveQrByToken, type StoreQrRow } from './store-qr.js';

export interface PayPage {
  readonly qr: StoreQrRow;
  readonly storeName: string;
  readonly merchantName: string;
  readonly operatorId: string;
  /** The merchant's account at the scanning wallet's channel; null when it has none. */
  readonly account: ChannelAccountRow | null;
}

export async function loadPayPage(db: Db, token: string, channel: ChannelName | null): Promise<PayPage | null> {
  const qr = await findActiveQrByToken(db, token);
  if (!qr) return null;
  const merchant = await findMerchantById(db, qr.merchantId);
  if (!merchant || merchant.status !== 'active') return null;
  const store = await getStore(db, systemContext(merchant.operatorId, merchant.id, 'pay-page'), qr.storeId).catch(() => null);
  if (!store || store.status !== 'active') return null;
  const account = channel ? await activeAccount(db, merchant.id, channel).catch(() => null) : null;
  return { qr, storeName: store.name, merchantName: merchant.name, operatorId: merchant.operatorId, account };
}

/**
 * Who the wallet says the buyer is. In the sandbox the buyer is a label kept in a cookie and the
 * identifiers are derived from it as the sandbox wallet derives them. Accounts with web OAuth
 * configured (all production ones) learn the payer from the wallet instead: see h5-oauth-routes.ts.
 */
export async function payerOf(db: Db, rt: PaymentsRuntime, page: PayPage, buyerLabel: string): Promise<ChannelPayer> {
  const account = page.account;
  if (!account) throw paymentErrors.make('channel_not_configured');
  if (account.environment !== 'sandbox') throw paymentErrors.make('channel_not_configured', 'production accounts need web OAuth (credentials.oauth) for the pay page');
  const credentials = await credentialsOf(db, rt.config, account, page.operatorId);
  if (credentials.channel === 'wechatpay') {
    const appId = credentials.account.mode === 'direct' ? credentials.account.appid : credentials.account.sp_appid;
    return { kind: 'wechat_openid', value: wechatOpenid(appId, buyerLabel), appId };
  }
  return { kind: 'alipay_user_id', value: alipayUserId(buyerLabel) };
}

export async function createInAppPayment(rt: PaymentsRuntime, page: PayPage, input: { amountFen: number; payer: ChannelPayer }): Promise<{ payment: PaymentRow; payParams: Record<string, string> }> {
  const account = page.account;
  if (!account) throw paymentErrors.make('channel_not_configured');
  const ctx: AccessContext = systemContext(page.operatorId, page.qr.merchantId, 'pay-page');
  const adapter = await adapterFor(rt, account, page.operatorId);
  const payment = await insertOrder(rt, ctx, {
    merchantId: page.qr.merchantId,
    storeId: page.qr.storeId,
    account,
    kind: 'in_app',
    amountFen: input.amountFen,
    description: page.storeName.slice(0, 100),
    qrCodeId: page.qr.id,
    desk: page.qr.desk,
  });
  try {
    const { payParams } = await adapter.createInAppOrder({ ...orderRequest(rt, payment, account), payer: input.payer });
    const paying = await rt.db.transaction(async (tx) => (await moveTo(tx, payment, 'paying', { payParams }, 'channel.create_in_app')) ?? loadPayment(tx, payment.merchantId, payment.id));
    return { payment: paying, payParams };
  } catch (error) {
    await failUnplacedOrder(rt, adapter, payment, error);
    throw channelFailure(error);
  }
}

/**
 * Where the sandbox's wallet page lets the buyer confirm an in-app order: the sandbox names the
 * wallet by the prepay id (WeChat) or trade number (Alipay) it handed out.
 */
export function sandboxWalletUrl(config: { publicUrl: string }, channel: ChannelName, payParams: Record<string, string>, buyerLabel: string | undefined, returnUrl: string): string {
  const token = channel === 'wechatpay' ? (payParams.package ?? '').replace(/^prepay_id=/, '') : (payParams.tradeNO ?? '');
  // After OAuth the order names its payer, so the wallet needs no buyer label.
  const query = new URLSearchParams({ ...(buyerLabel ? { buyer: buyerLabel } : {}), return_url: returnUrl });
  return `${config.publicUrl}/sandbox/wallet/${channel}/${encodeURIComponent(token)}?${query.toString()}`;
}
