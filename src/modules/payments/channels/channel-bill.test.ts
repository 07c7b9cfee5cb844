import { describe, expect, it } from 'vitest';
import { parseAlipayBill } from './alipay-adapter.js';
import { parseChannelBill } from './create-adapter.js';
import { parseWechatpayBill } from './wechatpay-adapter.js';

const wechatBill = [
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
  '`2026-11-25 10:00:00,`wx1,`1900000001,`0,`,`4200000001202611250000000001,`ORDER0001,`oUser,`NATIVE,`SUCCESS,`OTHERS,`CNY,`12.34,`0.00,`0,`0,`0.00,`0.00,`,`,`咖啡,`,`0.05000,`0.38%,`12.34,`0.00,`',
  '`2026-11-25 11:30:00,`wx1,`1900000001,`0,`,`4200000001202611250000000001,`ORDER0001,`oUser,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300000001,`ORDER0001R,`2.00,`0.00,`ORIGINAL,`SUCCESS,`咖啡,`,`-0.01000,`0.38%,`0.00,`2.00,`',
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  '`2,`12.34,`2.00,`0.00,`0.04000,`12.34,`2.00',
  '',
].join('\r\n');

describe('WeChat Pay trade bill', () => {
  it('reads payments and refunds with Beijing times, fen amounts and fees', () => {
    const [payment, refund] = parseWechatpayBill(wechatBill);
    expect(payment).toEqual({
      kind: 'payment',
      outTradeNo: 'ORDER0001',
      channelTradeNo: '4200000001202611250000000001',
      outRefundNo: null,
      channelRefundNo: null,
      amountFen: 1234,
      feeFen: 5,
      occurredAt: new Date('2026-11-25T02:00:00Z'),
      channelState: 'SUCCESS',
    });
    expect(refund).toMatchObject({ kind: 'refund', outRefundNo: 'ORDER0001R', channelRefundNo: '50300000001', amountFen: 200, feeFen: -1 });
    expect(parseChannelBill('wechatpay', wechatBill)).toHaveLength(2);
  });

  it('rounds fees given to the thousandth of a fen half up, away from zero', () => {
    const bill = wechatBill.replace('`0.05000', '`0.00500').replace('`-0.01000', '`-0.00499');
    const [payment, refund] = parseWechatpayBill(bill);
    expect(payment?.feeFen).toBe(1);
    expect(refund?.feeFen).toBe(0);
  });

  it('refuses a file whose lines do not add up to its summary, or with no summary', () => {
    expect(() => parseWechatpayBill(wechatBill.replace('`2,`12.34', '`3,`12.34'))).toThrow(/summary/);
    expect(() => parseWechatpayBill(wechatBill.split('总交易单数')[0] ?? '')).toThrow(/summary/);
  });
});

const alipayBill = [
  '#支付宝业务明细查询',
  '#账号：[20880000000000010156]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注',
  '2026112522000000000000000001\t,ORDER0002\t,交易\t,奶茶\t,2026-11-25 09:59:00\t,2026-11-25 10:00:00\t,\t,\t,\t,\t,138****0000\t,30.00\t,30.00\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t,-0.11\t,0.00\t,\t',
  '2026112522000000000000000001\t,ORDER0002\t,退款\t,奶茶\t,2026-11-25 12:00:00\t,2026-11-25 12:00:01\t,\t,\t,\t,\t,138****0000\t,-10.00\t,-10.00\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,ORDER0002R\t,0.04\t,0.00\t,\t',
  '#-----------------------------------------业务明细列表结束------------------------------------',
  '#交易合计：1笔，退款合计：1笔',
].join('\r\n');

describe('Alipay 业务明细 bill', () => {
  it('reads tab-padded fields, positive amounts and the fee as a charge', () => {
    const [payment, refund] = parseAlipayBill(alipayBill);
    expect(payment).toMatchObject({ kind: 'payment', outTradeNo: 'ORDER0002', amountFen: 3000, feeFen: 11, occurredAt: new Date('2026-11-25T02:00:00Z'), channelState: '交易' });
    expect(refund).toMatchObject({ kind: 'refund', outRefundNo: 'ORDER0002R', amountFen: 1000, feeFen: -4 });
  });

  it('refuses a line it cannot read rather than guess', () => {
    expect(() => parseAlipayBill(alipayBill.replace('30.00\t,30.00', 'abc\t,30.00'))).toThrow(/bad line/);
  });
});
