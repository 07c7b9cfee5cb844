// The contract between the payment domain (orders, refunds, notifications) and a channel.
// Each channel adapter speaks its channel's real wire protocol; the sandbox gateway speaks the same
// protocols, so pointing an adapter's base URL at it runs the real adapter code end to end.

export type ChannelName = 'wechatpay' | 'alipay';

/** Channel trade states normalised: WeChat NOTPAY/USERPAYING/SUCCESS/CLOSED/REVOKED/PAYERROR, Alipay WAIT_BUYER_PAY/TRADE_SUCCESS/TRADE_FINISHED/TRADE_CLOSED. */
export type ChannelTradeState = 'pending' | 'paying' | 'succeeded' | 'closed' | 'failed' | 'not_found';

export interface ChannelPayer {
  /** Identity kinds as ID+ knows them. */
  readonly kind: 'wechat_openid' | 'wechat_unionid' | 'alipay_user_id' | 'alipay_open_id';
  readonly value: string;
  /** WeChat openids are scoped by appid. */
  readonly appId?: string;
}

export interface ChannelTradeStatus {
  readonly state: ChannelTradeState;
  readonly outTradeNo: string;
  readonly channelTradeNo: string | null;
  readonly amountFen: number | null;
  readonly paidAt: Date | null;
  readonly payers: readonly ChannelPayer[];
  /** The channel's own words for the state (e.g. USERPAYING, 10003), for the timeline. */
  readonly channelState: string;
}

export type ChannelRefundState = 'processing' | 'succeeded' | 'failed' | 'closed' | 'not_found';

export interface ChannelRefundStatus {
  readonly state: ChannelRefundState;
  readonly outRefundNo: string;
  readonly channelRefundNo: string | null;
  readonly amountFen: number | null;
  readonly succeededAt: Date | null;
  readonly channelState: string;
}

export interface ChannelOrderRequest {
  readonly outTradeNo: string;
  readonly amountFen: number;
  readonly description: string;
  readonly expiresAt: Date;
  readonly notifyUrl: string;
}

/** A verified, decrypted channel notification. */
export type ChannelNotification =
  | { readonly kind: 'payment'; readonly notificationId: string; readonly status: ChannelTradeStatus }
  | { readonly kind: 'refund'; readonly notificationId: string; readonly outTradeNo: string; readonly status: ChannelRefundStatus };

export type NotificationRejection = 'bad_signature' | 'stale_timestamp' | 'unknown_serial' | 'malformed' | 'decrypt_failed';

export interface ChannelHttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Web OAuth of the wallet's in-app browser (WeChat snsapi_base, Alipay auth_base): who the buyer is,
 * silently, so the in-app order (JSAPI / trade.create) can name them.
 */
export interface WalletOAuth {
  /** Where to send the buyer; the channel brings them back to `redirectUri` with a one-time code and `state`. */
  authorizeUrl(input: { readonly redirectUri: string; readonly state: string }): string;
  /** Trades the one-time code for the payer's identifier (openid of the OAuth app, Alipay user id or open_id). */
  exchangeCode(code: string): Promise<ChannelPayer>;
}

export interface ChannelAdapter {
  readonly channel: ChannelName;
  /** Present when the account has web OAuth configured (WeChat needs the official account's AppSecret). */
  readonly walletOAuth?: WalletOAuth | undefined;
  /** Dynamic QR (WeChat Native / Alipay precreate): the code URL to render. */
  createQrOrder(order: ChannelOrderRequest): Promise<{ readonly codeUrl: string }>;
  /** In-app pay page (WeChat JSAPI / Alipay trade.create): parameters for the wallet's pay call. */
  createInAppOrder(order: ChannelOrderRequest & { readonly payer: ChannelPayer }): Promise<{ readonly payParams: Record<string, string> }>;
  /** 付款码 (WeChat codepay / Alipay trade.pay scene=bar_code). */
  payWithAuthCode(order: ChannelOrderRequest & { readonly authCode: string }): Promise<ChannelTradeStatus>;
  queryOrder(outTradeNo: string): Promise<ChannelTradeStatus>;
  closeOrder(outTradeNo: string): Promise<void>;
  /** Cancel/reverse a barcode order the counter gave up on: refunds the buyer if they were charged. */
  reverseOrder(outTradeNo: string): Promise<void>;
  refund(request: {
    readonly outTradeNo: string;
    readonly outRefundNo: string;
    readonly refundFen: number;
    readonly totalFen: number;
    readonly reason: string;
    readonly notifyUrl: string;
  }): Promise<ChannelRefundStatus>;
  queryRefund(request: { readonly outTradeNo: string; readonly outRefundNo: string }): Promise<ChannelRefundStatus>;
  /** Verifies (and for WeChat decrypts) a notification; never trusts an unverified body. */
  parseNotification(request: {
    readonly headers: Record<string, string | string[] | undefined>;
    readonly rawBody: string;
    readonly now: Date;
  }): Promise<{ readonly ok: true; readonly notification: ChannelNotification } | { readonly ok: false; readonly reason: NotificationRejection }>;
  /** The exact answer the channel expects: WeChat 204 / `{"code":"FAIL"}`; Alipay `success` / `fail`. */
  acknowledge(accepted: boolean): ChannelHttpAnswer;
  /** The channel's daily bill for one merchant-local date (yyyy-MM-dd), as the channel's own file text. */
  downloadBill(date: string): Promise<string>;
}

/**
 * Why a channel call failed, for the domain to decide what to do next:
 * - `rejected`: the channel answered and refused (e.g. ORDERPAID on close, 40004 on refund) — do not retry as is;
 * - `unavailable`: no usable answer (network, timeout, 5xx, SYSTEMERROR) — the outcome is unknown: query, then retry;
 * - `bad_response`: an answer that failed verification (signature, shape) — treat as unknown and never trust it;
 * - `misconfigured`: the credentials cannot work (bad key, wrong mode).
 */
export type ChannelErrorKind = 'rejected' | 'unavailable' | 'bad_response' | 'misconfigured';

export class ChannelError extends Error {
  constructor(
    readonly channel: ChannelName,
    readonly kind: ChannelErrorKind,
    /** The channel's own code (ORDERPAID, ACQ.TRADE_NOT_EXIST, …) or ours (`signature`, `http_502`). */
    readonly channelCode: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${channel}: ${message}`);
    this.name = 'ChannelError';
  }
}

/** One line of a channel's daily bill, normalised for reconciliation (对账). */
export interface ChannelBillLine {
  readonly kind: 'payment' | 'refund';
  readonly outTradeNo: string;
  readonly channelTradeNo: string;
  readonly outRefundNo: string | null;
  readonly channelRefundNo: string | null;
  /** Payment amount, or the refund amount for refund lines; always positive. */
  readonly amountFen: number;
  /** The channel's fee for the line, in fen rounded half up; negative for refunds where the fee is returned. */
  readonly feeFen: number;
  readonly occurredAt: Date;
  /** The channel's status word (SUCCESS, REFUND, 交易, 退款). */
  readonly channelState: string;
}
