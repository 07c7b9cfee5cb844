// 付款码 (the buyer's payment barcode) routing: the code's length and leading digits name the wallet
// that issued it, so the counter can charge the right channel without asking the cashier.
// Ranges as published by the channels and used by jeequan/jeepay (JeepayKit.getPayWayCodeByBarCode).

export type BarcodeRoute =
  | { readonly ok: true; readonly channel: 'wechatpay' | 'alipay'; readonly authCode: string }
  | { readonly ok: false; readonly reason: 'unsupported_channel'; readonly channel: 'unionpay' }
  | { readonly ok: false; readonly reason: 'unrecognised' };

export function routeBarcode(scanned: string): BarcodeRoute {
  // Keyboard-wedge scanners end the code with Enter (and sometimes a space); nothing else is trimmed.
  const authCode = scanned.trim();
  if (!/^\d+$/.test(authCode)) return { ok: false, reason: 'unrecognised' };
  const prefix = Number(authCode.slice(0, 2));
  const length = authCode.length;
  if (length === 18 && prefix >= 10 && prefix <= 15) return { ok: true, channel: 'wechatpay', authCode };
  if (length >= 16 && length <= 24 && prefix >= 25 && prefix <= 30) return { ok: true, channel: 'alipay', authCode };
  if (length === 19 && prefix === 62) return { ok: false, reason: 'unsupported_channel', channel: 'unionpay' };
  return { ok: false, reason: 'unrecognised' };
}
