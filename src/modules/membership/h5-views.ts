// The member's H5 pages, rendered on the server as plain HTML (zh-CN, no external assets): they
// open inside the WeChat and Alipay browsers right after a payment, on any phone.
import type { ConsentText } from './consent-texts.js';
import type { CardView } from './consumer.js';
import type { Program } from './program.js';

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const date = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const dateTime = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const colour = (value: string | undefined, fallback: string) => (value && /^#[0-9a-fA-F]{6}$/.test(value) ? value : fallback);

const styles = `
  .mp-card{border-radius:14px;padding:18px;margin-bottom:16px;box-shadow:0 2px 6px rgba(0,0,0,.12)}
  .mp-card h2{font-size:18px;margin:0 0 6px}
  .mp-card .num{font-family:ui-monospace,Menlo,monospace;letter-spacing:1px;opacity:.85;font-size:14px}
  .mp-box{background:#fff;border-radius:12px;padding:16px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
  .mp-box h3{font-size:16px;margin:0 0 10px}
  .mp-consent{font-size:13px;color:#555;line-height:1.6;margin:8px 0;display:flex;gap:8px;align-items:flex-start}
  .mp-consent input{margin-top:4px;flex:none;width:18px;height:18px}
  .mp-field{display:block;font-size:14px;color:#666;margin:12px 0 4px}
  .mp-input{width:100%;font-size:16px;padding:10px;border:1px solid #ddd;border-radius:8px}
  .mp-btn{display:block;width:100%;border:0;border-radius:8px;padding:13px;font-size:17px;color:#fff;background:#1f2937;margin-top:14px;text-align:center;text-decoration:none}
  .mp-link{background:none;border:0;color:#1677ff;font-size:14px;padding:8px 0;margin:0}
  .mp-stats{display:flex;gap:8px;text-align:center}
  .mp-stats div{flex:1}
  .mp-stats b{display:block;font-size:22px}
  .mp-stats span{font-size:12px;color:#888}
  .mp-muted{color:#888;font-size:13px}
  .mp-list{list-style:none;margin:0;padding:0}
  .mp-list li{display:flex;justify-content:space-between;padding:8px 0;border-bottom:1px solid #f0f0f0;font-size:14px}
  .mp-code{text-align:center}
  .mp-code svg{max-width:100%}
  .mp-code .qr svg{width:200px;height:200px}
  .mp-digits{font-family:ui-monospace,Menlo,monospace;font-size:17px;letter-spacing:1px;margin:6px 0}
  .mp-error{color:#d4380d;font-size:14px}
`;

export function page(title: string, body: string, options: { script?: string } = {}): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
  *{box-sizing:border-box}
  body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f5f6f7;color:#222}
  main{max-width:480px;margin:0 auto;padding:20px 16px calc(24px + env(safe-area-inset-bottom))}
  ${styles}
</style>
</head>
<body><main>
${body}
</main>${options.script ? `<script>${options.script}</script>` : ''}</body>
</html>`;
}

export function messagePage(title: string, message: string, link?: { href: string; label: string }): string {
  return page(title, `<div class="mp-box" style="text-align:center"><h3 data-testid="message-title">${escapeHtml(title)}</h3><p class="mp-muted">${escapeHtml(message)}</p>${link ? `<a class="mp-btn" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>` : ''}</div>`);
}

function cardFace(program: Program, merchantName: string, body: string): string {
  const design = program.cardDesign;
  return `<div class="mp-card" data-testid="card-face" style="background:${colour(design.background_color, '#1f2937')};color:${colour(design.text_color, '#ffffff')}">
  <div class="mp-muted" style="color:inherit;opacity:.8">${escapeHtml(design.title ?? merchantName)}</div>
  <h2>${escapeHtml(program.name)}</h2>
  ${body}
</div>`;
}

/** Join form: membership is required and asked for explicitly; marketing is separate and unticked. */
export function joinForm(input: { program: Program; merchantName: string; text: ConsentText; action: string; phoneRequired: boolean; error?: string | undefined; phone?: string | undefined }): string {
  const { program, text } = input;
  return `${cardFace(program, input.merchantName, '<div class="mp-muted" style="color:inherit;opacity:.8">一键加入，消费得积分、领卡券</div>')}
<form class="mp-box" method="post" action="${escapeHtml(input.action)}" data-testid="join-form">
  <h3>加入会员</h3>
  <input type="hidden" name="consent_version" value="${escapeHtml(text.version)}">
  <label class="mp-consent"><input type="checkbox" name="accept_membership" value="on" required data-testid="consent-membership"><span>${escapeHtml(text.membership)}</span></label>
  <label class="mp-consent"><input type="checkbox" name="accept_marketing" value="on" data-testid="consent-marketing"><span>${escapeHtml(text.marketing)}（选填）</span></label>
  <label class="mp-field" for="mp-phone">手机号${input.phoneRequired ? '' : '（选填）'}</label>
  <input class="mp-input" id="mp-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="20" ${input.phoneRequired ? 'required' : ''} value="${escapeHtml(input.phone ?? '')}" data-testid="join-phone">
  <p class="mp-muted">手机号仅作联系方式，未经短信验证；不会用于登录或合并其他账户。条款版本 ${escapeHtml(text.version)}</p>
  ${input.error ? `<p class="mp-error" role="alert">${escapeHtml(input.error)}</p>` : ''}
  <button class="mp-btn" type="submit" data-testid="join-submit">同意并加入</button>
</form>`;
}

/** The pay-result slot for a payer who is already a member. */
export function memberSummary(input: { program: Program; merchantName: string; cardNumber: string; tierName: string | null; available: number; pending: number; action: string }): string {
  return `${cardFace(
    input.program,
    input.merchantName,
    `<div class="num">${escapeHtml(input.cardNumber)}</div>
  <div style="margin-top:8px" data-testid="summary-points">积分 <b>${input.available}</b>${input.pending ? `（${input.pending} 待生效）` : ''}${input.tierName ? ` · ${escapeHtml(input.tierName)}` : ''}</div>`,
  )}
<form method="post" action="${escapeHtml(input.action)}"><button class="mp-btn" type="submit" data-testid="open-card">查看会员卡</button></form>
<p class="mp-muted" style="text-align:center">本次消费的积分可能稍后到账</p>`;
}

/** The pay-result slot for a signed-in member whose card has no payment account yet. */
export function bindOffer(input: { program: Program; merchantName: string; cardNumber: string; action: string }): string {
  return `${cardFace(input.program, input.merchantName, `<div class="num">${escapeHtml(input.cardNumber)}</div>`)}
<form class="mp-box" method="post" action="${escapeHtml(input.action)}" data-testid="bind-form">
  <p class="mp-muted">把本次付款的账户绑定到这张会员卡，以后付款自动累积积分。</p>
  <button class="mp-btn" type="submit" data-testid="bind-submit">绑定并查看会员卡</button>
</form>`;
}

export function fragment(body: string): string {
  return `<style>${styles}</style>${body}`;
}

const historyWords: Record<'points' | 'stored_value', Record<string, string>> = {
  points: { earn: '消费得积分', spend: '积分抵扣', adjust: '积分调整', expire: '积分过期', refund: '退款扣回积分', refund_reversal: '退款扣回积分', transfer_on_merge: '账户合并' },
  stored_value: { top_up: '储值充值', spend: '储值消费', refund: '储值退回', adjust: '储值调整', expire: '赠送金额失效', transfer_on_merge: '账户合并' },
};
const signedYuan = (fen: number) => `${fen > 0 ? '+' : fen < 0 ? '-' : ''}¥${yuan(Math.abs(fen))}`;
const couponWords: Record<string, string> = { issued: '可使用', locked: '使用中', redeemed: '已使用', expired: '已过期', void: '已作废' };

export function cardPage(view: CardView, input: { codeUrl: string; marketingAction: string; logoutAction: string; qrSvg: string; barcodeSvg: string; refreshInMs: number }): string {
  const { member, points } = view;
  const coupons = (list: CardView['coupons']['usable'], testid: string) =>
    list.length
      ? `<ul class="mp-list" data-testid="${testid}">${list.map((c) => `<li><span>${escapeHtml(c.name)}</span><span class="mp-muted">${couponWords[c.status] ?? c.status} · ${date(c.validUntil)} 到期</span></li>`).join('')}</ul>`
      : `<p class="mp-muted" data-testid="${testid}">无</p>`;
  const history = view.history.length
    ? `<ul class="mp-list" data-testid="history">${view.history
        .map((h) => `<li><span>${escapeHtml(historyWords[h.kind][h.type] ?? h.type)}</span><span>${h.kind === 'points' ? `${h.amount > 0 ? '+' : ''}${h.amount} 分` : signedYuan(h.amount)} <span class="mp-muted">${dateTime(h.at)}</span></span></li>`)
        .join('')}</ul>`
    : '<p class="mp-muted">暂无记录</p>';
  const digits = view.code.code.replace(/(\d{4})(?=\d)/g, '$1 ');
  const body = `${cardFace(
    view.program,
    view.merchantName,
    `<div class="num" data-testid="card-number">${escapeHtml(member.cardNumber)}</div>
  <div style="margin-top:6px" data-testid="tier">${view.tierName ? escapeHtml(view.tierName) : '会员'}</div>`,
  )}
<div class="mp-box mp-code" data-testid="member-code" data-expires-at="${view.code.expiresAt.toISOString()}">
  <div class="bar" id="mp-barcode">${input.barcodeSvg}</div>
  <div class="mp-digits" id="mp-digits" data-testid="code-digits" data-code="${escapeHtml(view.code.code)}">${escapeHtml(digits)}</div>
  <div class="qr" id="mp-qr">${input.qrSvg}</div>
  <p class="mp-muted">付款或核销时出示，每 30 秒自动刷新，截图无效</p>
</div>
<div class="mp-box">
  <div class="mp-stats">
    <div><b data-testid="points-available">${points.available}</b><span>可用积分</span></div>
    <div><b data-testid="points-pending">${points.pending}</b><span>待生效积分</span></div>
    <div><b data-testid="stored-value">¥${yuan(view.storedValueFen)}</b><span>储值余额</span></div>
  </div>
  ${points.nextExpiry ? `<p class="mp-muted" style="text-align:center;margin-top:8px">${points.nextExpiry.points} 分将于 ${date(points.nextExpiry.at)} 过期</p>` : ''}
</div>
<div class="mp-box"><h3>卡券 · 可使用（${view.coupons.usable.length}）</h3>${coupons(view.coupons.usable, 'coupons-usable')}
<h3 style="margin-top:12px">已使用</h3>${coupons(view.coupons.used, 'coupons-used')}
<h3 style="margin-top:12px">已过期</h3>${coupons(view.coupons.expired, 'coupons-expired')}</div>
<div class="mp-box"><h3>明细</h3>${history}</div>
<div class="mp-box">
  <form method="post" action="${escapeHtml(input.marketingAction)}">
    <input type="hidden" name="opt_in" value="${member.marketingOptIn ? 'off' : 'on'}">
    <p class="mp-muted" data-testid="marketing-state">营销消息：${member.marketingOptIn ? '已开启' : '已关闭'}</p>
    <button class="mp-link" type="submit" data-testid="marketing-toggle">${member.marketingOptIn ? '关闭营销消息' : '开启营销消息'}</button>
  </form>
  <form method="post" action="${escapeHtml(input.logoutAction)}"><button class="mp-link" type="submit" data-testid="logout">退出登录</button></form>
</div>`;
  // The code refreshes when its step ends; a failed refresh (session gone) reloads to the sign-in page.
  const script = `(function(){var url=${JSON.stringify(input.codeUrl)};
function schedule(ms){setTimeout(refresh,Math.max(1000,ms));}
function refresh(){fetch(url,{credentials:'same-origin',cache:'no-store'}).then(function(r){if(r.status===401){location.reload();return null;}return r.ok?r.json():null;}).then(function(c){if(!c){schedule(5000);return;}
document.getElementById('mp-qr').innerHTML=c.qr_svg;document.getElementById('mp-barcode').innerHTML=c.barcode_svg;var d=document.getElementById('mp-digits');d.textContent=c.code.replace(/(\\d{4})(?=\\d)/g,'$1 ');d.setAttribute('data-code',c.code);schedule(c.refresh_in_ms);}).catch(function(){schedule(5000);});}
schedule(${input.refreshInMs});})();`;
  return page(`${view.program.name} · 会员卡`, body, { script });
}
