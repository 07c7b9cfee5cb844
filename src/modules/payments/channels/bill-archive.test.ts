import { gzipSync } from 'node:zlib';
import { strToU8, unzipSync, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { gbkZip } from '../sandbox/bill-zip.js';
import { alipayDetailsText, BillArchiveError, billFiles, decodeBillText, wechatpayBillText } from './bill-archive.js';
import { parseAlipayBill } from './alipay-adapter.js';

const details = [
  '#支付宝业务明细查询',
  '#账号：[20880000000000010156]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注',
  '2026030122000000000000000001\t,MP0001\t,交易\t,咖啡\t,2026-03-01 10:00:00\t,2026-03-01 10:00:05\t,\t,\t,\t,\t,138****1234\t,12.50\t,12.50\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t,-0.05\t,0.00\t,\t',
  '#-----------------------------------------业务明细列表结束------------------------------------',
  '#交易合计：1笔，退款合计：0笔',
  '',
].join('\r\n');
const summary = ['#支付宝业务汇总查询', '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）', '合计,,1,0,12.50', ''].join('\r\n');
const at = new Date('2026-03-02T01:00:00Z');

describe('channel bill archives', () => {
  it('reads Alipay’s ZIP of GBK CSVs with GBK names: the 业务明细 file, by its content', () => {
    const zip = gbkZip(
      [
        { name: '20880000000000010156_20260301_业务明细(汇总).csv', text: summary },
        { name: '20880000000000010156_20260301_业务明细.csv', text: details },
      ],
      at,
    );
    // An independent reader (fflate) opens our archive: GBK names without the UTF-8 flag, GBK content.
    const entries = unzipSync(zip);
    const names = Object.keys(entries);
    expect(names).toHaveLength(2);
    expect(zip.readUInt16LE(6) & 0x0800).toBe(0);
    const raw = Object.values(entries).map((bytes) => iconv.decode(Buffer.from(bytes), 'gbk'));
    expect(raw).toContain(details);
    const text = alipayDetailsText(zip);
    expect(text).toBe(details);
    const [line] = parseAlipayBill(text);
    expect(line).toMatchObject({ kind: 'payment', outTradeNo: 'MP0001', amountFen: 1250, feeFen: 5 });
  });

  it('takes the 业务明细 CSV itself, in GBK or in UTF-8 (with or without BOM)', () => {
    expect(alipayDetailsText(iconv.encode(details, 'gbk'))).toBe(details);
    expect(alipayDetailsText(Buffer.from(details, 'utf8'))).toBe(details);
    expect(alipayDetailsText(Buffer.from(`\uFEFF${details}`, 'utf8'))).toBe(details);
    // A zip written by another tool (UTF-8 names, flag set) is as good.
    expect(alipayDetailsText(zipSync({ '明细.csv': strToU8(details), '汇总.csv': strToU8(summary) }))).toBe(details);
  });

  it('refuses archives without exactly one details file, and broken archives', () => {
    expect(() => alipayDetailsText(gbkZip([{ name: 'x.csv', text: summary }], at))).toThrow(BillArchiveError);
    expect(() => alipayDetailsText(gbkZip([{ name: 'a.csv', text: details }, { name: 'b.csv', text: details }], at))).toThrow(/more than one/);
    const broken = gbkZip([{ name: 'a.csv', text: details }], at).subarray(0, 40);
    expect(() => billFiles(broken)).toThrow(BillArchiveError);
    expect(() => billFiles(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(BillArchiveError);
  });

  it('reads WeChat Pay bills plain or gzip (tar_type=GZIP), dropping the BOM', () => {
    const bill = '\uFEFF交易时间,微信订单号\r\n`2026-03-01 10:00:00,`4200\r\n';
    expect(wechatpayBillText(Buffer.from(bill, 'utf8'))).toBe(bill.slice(1));
    expect(wechatpayBillText(gzipSync(Buffer.from(bill, 'utf8')))).toBe(bill.slice(1));
    expect(() => wechatpayBillText(Buffer.alloc(0))).toThrow(BillArchiveError);
  });

  it('decodes GBK only when the bytes are not UTF-8', () => {
    expect(decodeBillText(iconv.encode('支付宝', 'gbk'))).toBe('支付宝');
    expect(decodeBillText(Buffer.from('支付宝', 'utf8'))).toBe('支付宝');
  });
});
