// One door from stored credentials to a working adapter. The sandbox is not a special case: its
// credentials simply carry the sandbox's base URL and keys.
import type { ChannelAdapter, ChannelBillLine, ChannelName } from './adapter.js';
import { createAlipayAdapter, parseAlipayBill } from './alipay-adapter.js';
import type { ChannelCredentials } from './channel-credentials.js';
import { createWechatpayAdapter, parseWechatpayBill } from './wechatpay-adapter.js';
import type { PlatformCertificateStore } from './wechatpay-certificates.js';

export interface ChannelAdapterOptions {
  /** Defaults to the global fetch; tests and instrumentation may pass their own. */
  readonly fetch?: typeof fetch;
  /** The clock used for request timestamps and response freshness checks. */
  readonly now?: () => Date;
  /** Per request; WeChat Pay and Alipay both answer well within 10 s or not at all. */
  readonly timeoutMs?: number;
  /** WeChat Pay platform-certificate mode: where downloaded certificates are cached (per channel account). */
  readonly platformCertificates?: PlatformCertificateStore;
}

/** Throws ChannelError(kind 'misconfigured') when a key in the credentials cannot be read. */
export function createChannelAdapter(credentials: ChannelCredentials, options: ChannelAdapterOptions = {}): ChannelAdapter {
  const runtime = { fetch: options.fetch ?? globalThis.fetch, now: options.now ?? (() => new Date()), timeoutMs: options.timeoutMs ?? 10_000 };
  return credentials.channel === 'wechatpay' ? createWechatpayAdapter(credentials, runtime, options.platformCertificates) : createAlipayAdapter(credentials, runtime);
}

/** Parses the text `downloadBill` returned, for reconciliation (对账). Throws on a file it cannot read. */
export function parseChannelBill(channel: ChannelName, text: string): ChannelBillLine[] {
  return channel === 'wechatpay' ? parseWechatpayBill(text) : parseAlipayBill(text);
}
