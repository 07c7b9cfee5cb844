// The buyer's pages (web/h5), rendered on the server as plain HTML: they must open fast inside the
// WeChat and Alipay in-app browsers on any phone, with no script bundle to download.
import { formatShanghaiDateTime } from './channels/shanghai-time.js';
import { fenToYuan } from './channels/yuan-amount.js';
import type { ChannelName } from './channels/adapter.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const channelNames: Record<ChannelName, string> = { wechatpay: '微信支付', alipay: '支付宝' };
const channelColours: Record<ChannelName, string> = { wechatpay: '#07c160', alipay: '#1677ff' };

function layout(title: string, body: string, options: { refreshSeconds?: number; colour?: string } = {}): string {
  const colour = options.colour ?? '#333';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
${options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${escapeHtml(title)}</title>
<style>
  *{box-sizing:border-box}
  body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f5f6f7;color:#222}
  main{max-width:480px;margin:0 auto;padding:24px 16px calc(24px + env(safe-area-inset-bottom))}
  .card{background:#fff;border-radius:12px;padding:20px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
  h1{font-size:20px;margin:0 0 4px}
  .muted{color:#888;font-size:14px;margin:0}
  label{display:block;font-size:14px;color:#666;margin-bottom:8px}
  .amount{display:flex;align-items:center;border-bottom:1px solid #eee;padding-bottom:8px}
  .amount span{font-size:32px;font-weight:600;margin-right:4px}
  .amount input{flex:1;border:0;outline:0;font-size:36px;font-weight:600;width:100%;background:transparent}
  button{display:block;width:100%;border:0;border-radius:8px;padding:14px;font-size:18px;color:#fff;background:${colour};margin-top:20px}
  a.button{display:block;border:1px solid #ddd;border-radius:8px;padding:12px;color:#333;text-decoration:none;margin-top:8px}
  .error{color:#d4380d;font-size:14px;margin:12px 0 0}
  .status{font-size:24px;font-weight:600;margin:8px 0}
  .big{font-size:40px;font-weight:700;margin:8px 0}
  .center{text-align:center}
</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export function payPageHtml(input: { storeName: string; merchantName: string; desk: string | null; channel: ChannelName; action: string; error?: string; amount?: string }): string {
  const colour = channelColours[input.channel];
  return layout(
    `向${input.storeName}付款`,
    `<div class="card">
  <h1 data-testid="store-name">${escapeHtml(input.storeName)}</h1>
  <p class="muted">${escapeHtml(input.merchantName)}${input.desk ? ` · ${escapeHtml(input.desk)}` : ''}</p>
</div>
<form class="card" method="post" action="${escapeHtml(input.action)}">
  <label for="amount">付款金额</label>
  <div class="amount"><span>¥</span><input id="amount" name="amount" type="text" inputmode="decimal" autocomplete="off" placeholder="0.00" pattern="^(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2})?$" value="${escapeHtml(input.amount ?? '')}" required autofocus></div>
  ${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
  <button type="submit" data-channel="${input.channel}">${channelNames[input.channel]} 付款</button>
</form>`,
    { colour },
  );
}

export function wrongAppHtml(storeName: string | null, sandboxWallets: readonly { channel: ChannelName; url: string }[] = []): string {
  // Sandbox accounts (the demo): a desktop browser may act as either wallet to try the flow.
  const simulate = sandboxWallets.length
    ? `<p class="muted">沙箱演示：用浏览器模拟钱包付款 · Sandbox demo: pay from this browser as</p>
  ${sandboxWallets.map((w) => `<p><a class="button" data-testid="simulate-${w.channel}" href="${escapeHtml(w.url)}">${channelNames[w.channel]}</a></p>`).join('\n  ')}`
    : '';
  return layout(
    '请用微信或支付宝扫码',
    `<div class="card center">
  ${storeName ? `<h1>${escapeHtml(storeName)}</h1>` : ''}
  <p class="status" data-testid="wrong-app">请用微信或支付宝扫码</p>
  <p class="muted">Please scan this code with WeChat or Alipay.</p>
  ${simulate}
</div>`,
  );
}

export function messageHtml(title: string, message: string): string {
  return layout(title, `<div class="card center"><p class="status">${escapeHtml(title)}</p><p class="muted">${escapeHtml(message)}</p></div>`);
}

/** Production wallets: hand the pay parameters to the wallet's own JS bridge, then go to the result page. */
export function walletBridgeHtml(channel: ChannelName, payParams: Record<string, string>, resultUrl: string): string {
  const params = JSON.stringify(payParams).replace(/</g, '\\u003c');
  const result = JSON.stringify(resultUrl);
  const script =
    channel === 'wechatpay'
      ? `function pay(){WeixinJSBridge.invoke('getBrandWCPayRequest',${params},function(){location.replace(${result});});}
if(typeof WeixinJSBridge==='undefined'){document.addEventListener('WeixinJSBridgeReady',pay,false);}else{pay();}`
      : `function pay(){AlipayJSBridge.call('tradePay',{tradeNO:${JSON.stringify(payParams.tradeNO ?? '')}},function(){location.replace(${result});});}
if(window.AlipayJSBridge){pay();}else{document.addEventListener('AlipayJSBridgeReady',pay,false);}`;
  return layout('正在支付', `<div class="card center"><p class="status">正在打开${channelNames[channel]}…</p></div><script>${script}</script>`);
}

export interface ResultView {
  readonly paymentId: string;
  readonly status: string;
  readonly amountFen: number;
  readonly storeName: string;
  readonly channel: ChannelName;
  readonly paidAt: Date | null;
}

const statusWords: Record<string, string> = {
  created: '等待支付',
  paying: '支付确认中…',
  succeeded: '支付成功',
  failed: '支付失败',
  closed: '订单已关闭',
  late_paid: '订单已关闭，款项已原路退回',
};

// Fills a slot with the HTML fragment its owner serves at data-src (same origin, cookies included);
// payments knows the URL, not the module behind it.
const slotLoader = `<script>document.querySelectorAll('[data-slot][data-src]').forEach(function(s){fetch(s.getAttribute('data-src'),{credentials:'same-origin'}).then(function(r){return r.ok?r.text():'';}).then(function(h){s.innerHTML=h;}).catch(function(){});});</script>`;

export function resultHtml(view: ResultView): string {
  const pending = view.status === 'created' || view.status === 'paying';
  return layout(
    statusWords[view.status] ?? view.status,
    `<div class="card center" data-payment-id="${escapeHtml(view.paymentId)}">
  <p class="muted">${escapeHtml(view.storeName)}</p>
  <p class="big">¥${fenToYuan(view.amountFen)}</p>
  <p class="status" data-testid="payment-status" data-status="${escapeHtml(view.status)}">${escapeHtml(statusWords[view.status] ?? view.status)}</p>
  <p class="muted">${channelNames[view.channel]}${view.paidAt ? ` · <time datetime="${view.paidAt.toISOString()}" data-testid="paid-at">${formatShanghaiDateTime(view.paidAt)}</time>` : ''}</p>
</div>
<!-- membership slot: the membership module turns a succeeded payment into join-and-consent here -->
<section id="after-payment" data-slot="membership" data-payment-id="${escapeHtml(view.paymentId)}" data-status="${escapeHtml(view.status)}"${view.status === 'succeeded' ? ` data-src="/h5/members/after-payment/${escapeHtml(view.paymentId)}"` : ''}></section>
${view.status === 'succeeded' ? slotLoader : ''}`,
    pending ? { refreshSeconds: 2, colour: channelColours[view.channel] } : { colour: channelColours[view.channel] },
  );
}
