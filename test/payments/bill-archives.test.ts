// Channel bills in the shapes the channels deliver: Alipay's bill_download_url serves a ZIP of GBK
// CSVs (业务明细 + 业务明细(汇总)); WeChat Pay's tradebill with tar_type=GZIP a gzip whose signed SHA1
// is of the bill itself. Reconciliation downloads them through the real adapters, or takes them uploaded.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Formatter } from 'wechatpay-axios-plugin';
import { createReconciliation } from '../../src/modules/payments/reconciliation.js';
import { adapterFor, businessDateOf } from '../../src/modules/payments/payment-orders.js';
import { alipayBillToken } from '../../src/modules/payments/sandbox/alipay-gateway.js';
import { sandboxMerchants } from '../../src/modules/payments/sandbox/schema.js';
import { channelAccounts } from '../../src/modules/payments/schema.js';
import { systemContext } from '../../src/modules/platform/index.js';
import { credentialsOf } from '../../src/modules/payments/channel-config.js';
import { newWechatpayNonce, signWechatpayRequest } from '../../src/modules/payments/channels/wechatpay-signature.js';
import { startPaymentsApp, type PaymentJson, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
const today = businessDateOf(new Date());
const paidFen: Record<string, number[]> = { wechatpay: [], alipay: [] };
beforeAll(async () => {
  t = await startPaymentsApp();
  for (const channel of ['wechatpay', 'alipay'] as const) {
    for (const amount of [1_234, 5_678]) {
      const response = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: amount, auth_code: await t.buyerCode(channel, 'pay') });
      expect((response.json() as PaymentJson).status).toBe('succeeded');
      paidFen[channel]!.push(amount);
    }
  }
});
afterAll(() => t.close());

const rt = () => ({ db: t.database.db, config: t.config });
const ctx = () => systemContext(t.demo.operatorId, t.demo.merchantId, 'test');

async function accountOf(channel: 'wechatpay' | 'alipay') {
  const [account] = await t.database.db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, t.demo.merchantId), eq(channelAccounts.channel, channel)));
  return account!;
}

async function alipayArchive(): Promise<Buffer> {
  const credentials = await credentialsOf(t.database.db, t.config, await accountOf('alipay'), t.demo.operatorId);
  if (credentials.channel !== 'alipay') throw new Error('alipay expected');
  const [merchant] = await t.database.db.select().from(sandboxMerchants).where(and(eq(sandboxMerchants.channel, 'alipay'), eq(sandboxMerchants.appId, credentials.account.app_id)));
  const response = await t.app.inject({ method: 'GET', url: `/sandbox/alipay/bills/${alipayBillToken(t.config.secretKey, merchant!.id, today)}` });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-disposition']).toMatch(/\.csv\.zip"$/);
  return response.rawPayload;
}

describe('Alipay bill archive', () => {
  it('is a ZIP of two GBK CSVs with GBK names: 业务明细 and 业务明细(汇总), comment lines around the table', async () => {
    const zip = await alipayArchive();
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304');
    const entries = Object.entries(unzipSync(zip));
    const names = entries.map(([name]) => iconv.decode(Buffer.from(name, 'latin1'), 'gbk')).sort();
    expect(names).toHaveLength(2);
    expect(names.filter((name) => /^2088\d{16}_\d{8}_业务明细\.csv$/.test(name))).toHaveLength(1);
    expect(names.filter((name) => /^2088\d{16}_\d{8}_业务明细\(汇总\)\.csv$/.test(name))).toHaveLength(1);
    const texts = entries.map(([, bytes]) => iconv.decode(Buffer.from(bytes), 'gbk'));
    const details = texts.find((text) => text.startsWith('#支付宝业务明细查询'))!;
    const summary = texts.find((text) => text.startsWith('#支付宝业务汇总查询'))!;
    expect(details).toContain('#-----------------------------------------业务明细列表结束');
    expect(details).toContain(`#交易合计：2笔，退款合计：0笔`);
    expect(summary.split('\r\n').find((line) => line.startsWith('合计'))).toContain(',2,0,69.12,');
    // Not UTF-8: GBK bytes of 支付宝 are d6a7 b8b6 b1a6.
    expect(Buffer.from(entries[0]![1]).toString('hex')).toContain('d6a7b8b6b1a6');
  });

  it('reconciles by download through the adapter, and from the uploaded ZIP or GBK CSV', async () => {
    const downloaded = await createReconciliation(rt(), ctx(), { channel: 'alipay', date: today });
    expect(downloaded.reconciliation).toMatchObject({ source: 'download', billRecords: 2, matched: 2, mismatches: 0 });
    const zip = await alipayArchive();
    const uploaded = await createReconciliation(rt(), ctx(), { channel: 'alipay', date: today, billFile: zip });
    expect(uploaded.reconciliation).toMatchObject({ source: 'upload', billRecords: 2, matched: 2 });
    const csv = Object.values(unzipSync(zip)).find((bytes) => iconv.decode(Buffer.from(bytes), 'gbk').startsWith('#支付宝业务明细查询'))!;
    const fromCsv = await createReconciliation(rt(), ctx(), { channel: 'alipay', date: today, billFile: csv });
    expect(fromCsv.reconciliation).toMatchObject({ billRecords: 2, matched: 2 });
    await expect(createReconciliation(rt(), ctx(), { channel: 'alipay', date: today, billFile: zip.subarray(0, 60) })).rejects.toMatchObject({ code: 'bill_unreadable' });
    // Through the API: the file as base64.
    const viaApi = await t.api('POST', '/v1/reconciliations', { channel: 'alipay', date: today, bill_file_base64: zip.toString('base64') });
    expect(viaApi.statusCode, viaApi.body).toBe(201);
    expect(viaApi.json()).toMatchObject({ source: 'upload', bill_records: 2, matched: 2 });
    const broken = await t.api('POST', '/v1/reconciliations', { channel: 'alipay', date: today, bill_file_base64: zip.subarray(0, 60).toString('base64') });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('bill_unreadable');
  });
});

describe('WeChat Pay bill, tar_type=GZIP', () => {
  it('serves gzip whose signed SHA1 is of the bill itself (a BOM, then the table wechatpay-axios-plugin reads)', async () => {
    const credentials = await credentialsOf(t.database.db, t.config, await accountOf('wechatpay'), t.demo.operatorId);
    if (credentials.channel !== 'wechatpay' || credentials.account.mode !== 'direct') throw new Error('direct wechatpay expected');
    const mchid = credentials.account.mchid;
    const get = async (pathWithQuery: string) =>
      t.app.inject({
        method: 'GET',
        url: pathWithQuery,
        headers: {
          authorization: signWechatpayRequest({ method: 'GET', pathWithQuery, timestamp: Math.floor(Date.now() / 1000), nonce: newWechatpayNonce(), body: '', mchid, serialNo: credentials.merchant_serial_no, privateKey: credentials.merchant_private_key }),
        },
      });
    const answer = await get(`/sandbox/wechatpay/v3/bill/tradebill?bill_date=${today}&bill_type=ALL&tar_type=GZIP`);
    expect(answer.statusCode).toBe(200);
    const { download_url: url, hash_value: hash } = answer.json() as { download_url: string; hash_value: string };
    const file = await get(new URL(url).pathname + new URL(url).search);
    expect(file.rawPayload.subarray(0, 2).toString('hex')).toBe('1f8b');
    const bill = gunzipSync(file.rawPayload);
    expect(createHash('sha1').update(bill).digest('hex')).toBe(hash);
    const parsed = Formatter.castCsvBill(bill) as { rows: Record<string, string>[]; summary: Record<string, string> };
    expect(parsed.rows.map((row) => row['应结订单金额']).sort()).toEqual(['12.34', '56.78']);
    expect(parsed.summary['总交易单数']).toBe('2');

    const adapter = await adapterFor(rt(), await accountOf('wechatpay'), t.demo.operatorId);
    expect(await adapter.downloadBill(today)).toBe(bill.toString('utf8').slice(1));
    const reconciled = await createReconciliation(rt(), ctx(), { channel: 'wechatpay', date: today, billFile: file.rawPayload });
    expect(reconciled.reconciliation).toMatchObject({ source: 'upload', billRecords: 2, matched: 2, mismatches: 0 });
  });
});
