// Daily trade bills in each channel's own file format, for reconciliation (对账) against the sandbox.
// One Beijing-time day: payments by when they were paid, refunds by when they succeeded.
import { and, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { formatShanghaiDateTime } from '../channels/shanghai-time.js';
import { fenToYuan } from '../channels/yuan-amount.js';
import { gbkZip } from './bill-zip.js';
import type { SandboxMerchant } from './sandbox-merchants.js';
import { wechatPayerOf, type SandboxRefund, type SandboxTrade } from './sandbox-trades.js';
import { sandboxRefunds, sandboxTrades } from './schema.js';

// The sandbox channels charge 0.38 % per payment, returned pro rata on refunds; fen, half up.
const FEE_PER_TEN_THOUSAND = 38;
export function sandboxFeeFen(amountFen: number): number {
  return Math.floor((amountFen * FEE_PER_TEN_THOUSAND + 5_000) / 10_000);
}

export function isBillDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const at = new Date(`${text}T00:00:00+08:00`);
  return !Number.isNaN(at.getTime()) && formatShanghaiDateTime(at).slice(0, 10) === text;
}

// Bills are comma-separated with no quoting: a comma in a product name would shift every column.
const plain = (text: string) => text.replaceAll(',', '，').replace(/[\r\n\t`]/g, ' ');

function dayRange(billDate: string): { from: Date; to: Date } {
  const from = new Date(`${billDate}T00:00:00+08:00`);
  return { from, to: new Date(from.getTime() + 24 * 60 * 60 * 1000) };
}

interface DayActivity {
  readonly payments: SandboxTrade[];
  readonly refunds: { refund: SandboxRefund; trade: SandboxTrade }[];
}

async function activity(db: Db, merchantId: string, billDate: string): Promise<DayActivity> {
  const { from, to } = dayRange(billDate);
  const payments = await db
    .select()
    .from(sandboxTrades)
    .where(and(eq(sandboxTrades.merchantId, merchantId), gte(sandboxTrades.paidAt, from), lt(sandboxTrades.paidAt, to)))
    .orderBy(sandboxTrades.paidAt, sandboxTrades.id);
  const refunds = await db
    .select({ refund: sandboxRefunds, trade: sandboxTrades })
    .from(sandboxRefunds)
    .innerJoin(sandboxTrades, eq(sandboxTrades.id, sandboxRefunds.tradeId))
    .where(and(eq(sandboxRefunds.merchantId, merchantId), eq(sandboxRefunds.status, 'SUCCESS'), gte(sandboxRefunds.succeededAt, from), lt(sandboxRefunds.succeededAt, to)))
    .orderBy(sandboxRefunds.succeededAt, sandboxRefunds.id);
  return { payments, refunds };
}

// WeChat writes fees in yuan with five decimals.
function feeText(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  return `${sign}${fenToYuan(Math.abs(fen))}000`;
}

const WECHAT_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';

const WECHAT_TRADE_TYPES: Readonly<Record<string, string>> = { native: 'NATIVE', jsapi: 'JSAPI', codepay: 'MICROPAY' };

/** 交易账单 (bill_type=ALL): a BOM, backtick-prefixed fields, then the summary header and line. */
export async function renderWechatpayBill(db: Db, merchant: SandboxMerchant, billDate: string): Promise<string> {
  const { payments, refunds } = await activity(db, merchant.id, billDate);
  const mchid = merchant.callerId;
  const subMchid = merchant.subId ?? '0';
  const line = (fields: readonly string[]) => fields.map((field) => `\`${field}`).join(',');
  const rows: string[] = [];
  let feeTotal = 0;
  for (const trade of payments) {
    const fee = sandboxFeeFen(trade.amountFen);
    feeTotal += fee;
    const yuan = fenToYuan(trade.amountFen);
    rows.push(
      line([formatShanghaiDateTime(trade.paidAt ?? trade.createdAt), merchant.appId, mchid, subMchid, '', trade.channelTradeNo, trade.outTradeNo, wechatPayerOf(trade)?.openid ?? '', WECHAT_TRADE_TYPES[trade.kind] ?? 'NATIVE', 'SUCCESS', 'OTHERS', 'CNY', yuan, '0.00', '0', '0', '0.00', '0.00', '', '', plain(trade.description), '', feeText(fee), '0.38%', yuan, '0.00', '']),
    );
  }
  let refundTotal = 0;
  for (const { refund, trade } of refunds) {
    const fee = -sandboxFeeFen(refund.amountFen);
    feeTotal += fee;
    refundTotal += refund.amountFen;
    const yuan = fenToYuan(refund.amountFen);
    rows.push(
      line([formatShanghaiDateTime(refund.succeededAt ?? refund.createdAt), merchant.appId, mchid, subMchid, '', trade.channelTradeNo, trade.outTradeNo, wechatPayerOf(trade)?.openid ?? '', WECHAT_TRADE_TYPES[trade.kind] ?? 'NATIVE', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', refund.refundNo, refund.outRefundNo, yuan, '0.00', 'ORIGINAL', 'SUCCESS', plain(trade.description), '', feeText(fee), '0.38%', '0.00', yuan, '']),
    );
  }
  const paidTotal = payments.reduce((sum, trade) => sum + trade.amountFen, 0);
  const summary = line([String(rows.length), fenToYuan(paidTotal), fenToYuan(refundTotal), '0.00', feeText(feeTotal), fenToYuan(paidTotal), fenToYuan(refundTotal)]);
  // UTF-8 with a BOM, as WeChat Pay writes its bills (spreadsheets then read the Chinese right).
  return ['\uFEFF' + WECHAT_HEADER, ...rows, '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额', summary, ''].join('\r\n');
}

const ALIPAY_HEADER =
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注';

function chineseDate(at: Date): string {
  const text = formatShanghaiDateTime(at);
  return `${text.slice(0, 4)}年${text.slice(5, 7)}月${text.slice(8, 10)}日 ${text.slice(11)}`;
}

/** 业务明细: `#` comment lines around a header and tab-padded fields (one file of the bill archive). */
export async function renderAlipayBill(db: Db, merchant: SandboxMerchant, billDate: string, now: Date): Promise<string> {
  const { payments, refunds } = await activity(db, merchant.id, billDate);
  const { from, to } = dayRange(billDate);
  const field = (value: string) => `${value}\t`;
  const rows: string[] = [];
  for (const trade of payments) {
    const yuan = fenToYuan(trade.amountFen);
    const payer = trade.payer as { logon_id?: string } | null;
    rows.push(
      [trade.channelTradeNo, trade.outTradeNo, '交易', plain(trade.description), formatShanghaiDateTime(trade.createdAt), formatShanghaiDateTime(trade.paidAt ?? trade.createdAt), '', '', '', '', payer?.logon_id ?? '', yuan, yuan, '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', '', `-${fenToYuan(sandboxFeeFen(trade.amountFen))}`, '0.00', '']
        .map(field)
        .join(','),
    );
  }
  for (const { refund, trade } of refunds) {
    const yuan = `-${fenToYuan(refund.amountFen)}`;
    const payer = trade.payer as { logon_id?: string } | null;
    rows.push(
      [trade.channelTradeNo, trade.outTradeNo, '退款', plain(trade.description), formatShanghaiDateTime(refund.createdAt), formatShanghaiDateTime(refund.succeededAt ?? refund.createdAt), '', '', '', '', payer?.logon_id ?? '', yuan, yuan, '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', refund.outRefundNo, fenToYuan(sandboxFeeFen(refund.amountFen)), '0.00', '']
        .map(field)
        .join(','),
    );
  }
  return [
    '#支付宝业务明细查询',
    `#账号：[${merchant.sellerId ?? ''}0156]`,
    `#起始日期：[${chineseDate(from)}]   终止日期：[${chineseDate(to)}]`,
    '#-----------------------------------------业务明细列表----------------------------------------',
    ALIPAY_HEADER,
    ...rows,
    '#-----------------------------------------业务明细列表结束------------------------------------',
    `#交易合计：${String(payments.length)}笔，退款合计：${String(refunds.length)}笔`,
    `#导出时间：[${chineseDate(now)}]`,
    '',
  ].join('\r\n');
}

const ALIPAY_SUMMARY_HEADER = '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）';

/** 业务明细(汇总): per-store totals (the sandbox has one unnamed store) and the 合计 line. */
export async function renderAlipayBillSummary(db: Db, merchant: SandboxMerchant, billDate: string, now: Date): Promise<string> {
  const { payments, refunds } = await activity(db, merchant.id, billDate);
  const { from, to } = dayRange(billDate);
  const paid = payments.reduce((sum, trade) => sum + trade.amountFen, 0);
  const refunded = refunds.reduce((sum, { refund }) => sum + refund.amountFen, 0);
  const fee = payments.reduce((sum, trade) => sum + sandboxFeeFen(trade.amountFen), 0) - refunds.reduce((sum, { refund }) => sum + sandboxFeeFen(refund.amountFen), 0);
  const signed = (fen: number) => (fen < 0 ? `-${fenToYuan(-fen)}` : fenToYuan(fen));
  const figures = [String(payments.length), String(refunds.length), signed(paid - refunded), signed(paid - refunded), '0.00', '0.00', '0.00', signed(-fee), '0.00', signed(paid - refunded - fee)];
  return [
    '#支付宝业务汇总查询',
    `#账号：[${merchant.sellerId ?? ''}0156]`,
    `#起始日期：[${chineseDate(from)}]   终止日期：[${chineseDate(to)}]`,
    '#-----------------------------------------业务汇总列表----------------------------------------',
    ALIPAY_SUMMARY_HEADER,
    ['', '', ...figures].join(','),
    ['合计', '', ...figures].join(','),
    '#-----------------------------------------业务汇总列表结束------------------------------------',
    `#导出时间：[${chineseDate(now)}]`,
    '',
  ].join('\r\n');
}

/**
 * What bill_download_url serves: `<pid>0156_<yyyyMMdd>.csv.zip` holding the 业务明细 and 业务明细(汇总)
 * CSVs, GBK-encoded, names GBK too.
 */
export async function renderAlipayBillArchive(db: Db, merchant: SandboxMerchant, billDate: string, now: Date): Promise<{ fileName: string; bytes: Buffer }> {
  const stem = `${merchant.sellerId ?? ''}0156_${billDate.replaceAll('-', '')}`;
  const bytes = gbkZip(
    [
      { name: `${stem}_业务明细.csv`, text: await renderAlipayBill(db, merchant, billDate, now) },
      { name: `${stem}_业务明细(汇总).csv`, text: await renderAlipayBillSummary(db, merchant, billDate, now) },
    ],
    now,
  );
  return { fileName: `${stem}.csv.zip`, bytes };
}
