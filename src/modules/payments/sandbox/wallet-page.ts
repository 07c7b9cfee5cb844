// The buyer's side of the sandbox: what WeChat or Alipay would show after a scan — merchant, amount,
// 确认支付 / 取消. Plain server-rendered HTML, mobile first, no script needed.
import { fenToYuan } from '../channels/yuan-amount.js';

export interface WalletView {
  readonly channel: 'wechatpay' | 'alipay';
  readonly token: string;
  readonly merchantName: string;
  readonly description: string;
  readonly amountFen: number;
  /** pay: can be paid; paid / closed / cancelled: a result to show. */
  readonly status: 'pay' | 'paid' | 'closed' | 'cancelled' | 'not_found';
  readonly buyer: string | undefined;
  /** Where the H5 page wants the buyer back after paying or cancelling (already checked). */
  readonly returnUrl?: string | undefined;
  readonly payerLabel: string | undefined;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}

const BRAND = {
  wechatpay: { name: '微信支付', color: '#07c160' },
  alipay: { name: '支付宝', color: '#1677ff' },
} as const;

export function renderWalletPage(view: WalletView): string {
  const brand = BRAND[view.channel];
  const base = `/sandbox/wallet/${view.channel}/${encodeURIComponent(view.token)}`;
  const buyerField =
    (view.buyer ? `<input type="hidden" name="buyer" value="${escape(view.buyer)}">` : '') +
    (view.returnUrl ? `<input type="hidden" name="return_url" value="${escape(view.returnUrl)}">` : '');
  let body: string;
  if (view.status === 'not_found') {
    body = '<p class="result">二维码已失效或不存在</p>';
  } else {
    const amount = `<p class="amount">¥${fenToYuan(view.amountFen)}</p>`;
    const head = `<p class="merchant">${escape(view.merchantName)}</p><p class="desc">${escape(view.description)}</p>${amount}`;
    if (view.status === 'pay') {
      body = `${head}
  <form method="post" action="${base}/pay">${buyerField}<button class="pay" type="submit" data-testid="wallet-pay">确认支付</button></form>
  <form method="post" action="${base}/cancel">${buyerField}<button class="cancel" type="submit" data-testid="wallet-cancel">取消</button></form>`;
    } else {
      const words = { paid: '支付成功', closed: '订单已关闭', cancelled: '已取消支付' }[view.status];
      body = `${head}<p class="result" data-testid="wallet-result" data-status="${view.status}">${words}</p>${view.payerLabel ? `<p class="payer">付款人 ${escape(view.payerLabel)}</p>` : ''}`;
    }
  }
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${brand.name}（沙箱）</title>
<style>
  body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f5f5f5; color: #222; }
  header { background: ${brand.color}; color: #fff; padding: 14px 16px; font-size: 17px; }
  header small { opacity: .8; margin-left: 6px; }
  main { background: #fff; margin: 16px; border-radius: 12px; padding: 24px 16px; text-align: center; }
  .merchant { font-size: 16px; margin: 0 0 4px; }
  .desc { color: #888; font-size: 13px; margin: 0 0 16px; }
  .amount { font-size: 40px; font-weight: 600; margin: 8px 0 24px; }
  button { width: 100%; padding: 12px; font-size: 17px; border-radius: 8px; border: 0; margin-top: 10px; }
  .pay { background: ${brand.color}; color: #fff; }
  .cancel { background: #f2f2f2; color: #555; }
  .result { font-size: 18px; color: ${brand.color}; }
  .payer { color: #999; font-size: 12px; }
</style>
</head>
<body>
<header>${brand.name}<small>沙箱 · 仅供测试</small></header>
<main>
  ${body}
</main>
</body>
</html>
`;
}
