import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Descriptions, Divider, Empty, Flex, Form, Input, InputNumber, QRCode, Radio, Result, Row, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, ScanOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { api, ApiError, type Page } from '../api.js';
import { useI18n } from '../i18n.js';
import { useMe } from '../session.js';
import { PageHeader } from '../components/PageHeader.js';
import { problemText } from '../components/problems.js';
import { parseYuan, useStores, yuan } from '../components/payments.js';
import { newReference, useCouponTemplates, useProgram, useTiers, type CheckoutResult, type Coupon, type CouponTemplate, type Member, type PointsSummary, type StoredValueAccount } from '../components/membership.js';
import { codeText, couponTermsText } from '../components/membership-ui.js';

// 收银台: the cashier enters the amount (or the order lines), identifies the member (scans the
// dynamic member code from the card, or types a card number or phone), picks coupons, points and
// stored value, sees the breakdown (priced by the server: POST /v1/checkouts/preview, which spends
// nothing), and collects the rest with the buyer's 付款码 or a QR the buyer scans. One
// POST /v1/checkouts spends everything together or nothing; a QR checkout waits for the payment
// (polling GET /v1/checkouts/:id) until it completes or is released.

interface Line {
  key: string;
  product_sku: string;
  category: string;
  unit_price: string;
  quantity: number;
}

interface Holdings {
  points: PointsSummary;
  account: StoredValueAccount;
  coupons: Coupon[];
}

/** A scanned dynamic member code (card number + a rotating 6 digits); anything else is a search. */
const memberCodePattern = /^[0-9]{12,26}$/;

async function identify(input: string): Promise<Member[]> {
  const text = input.trim().replace(/\s/g, '');
  if (memberCodePattern.test(text)) {
    try {
      const found = await api.post<{ member: Member }>('/v1/members/by-code', { code: text });
      return [found.member];
    } catch (e) {
      // Not a live member code (expired, another merchant's, or a long card number typed by hand):
      // the directory search below still finds a card number.
      if (!(e instanceof ApiError) || e.status >= 500) throw e;
    }
  }
  const page = await api.get<Page<Member>>('/v1/membership/member-search', { q: input.trim(), limit: 10 });
  return page.items;
}

/** The server's breakdown for the order as it stands (POST /v1/checkouts/preview). */
interface Preview {
  status: 'completed' | 'remainder_due';
  amount_fen: number;
  member_discount_fen: number;
  coupons: { coupon_id: string; discount_fen: number }[];
  points: { spent: number; value_fen: number };
  stored_value: { spent_fen: number; principal_fen: number; bonus_fen: number };
  remainder_due_fen: number;
  points_earned: number;
}

type Collect = 'auth_code' | 'qr';

export default function CounterPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const { stores } = useStores();
  const { program } = useProgram();
  const { tiers, tierName } = useTiers();
  const { templateOf } = useCouponTemplates();
  const [storeId, setStoreId] = useState<string | undefined>(me.store_ids?.[0]);
  const [mode, setMode] = useState<'amount' | 'lines'>('amount');
  const [amount, setAmount] = useState('');
  const [lines, setLines] = useState<Line[]>([{ key: '1', product_sku: '', category: '', unit_price: '', quantity: 1 }]);
  const [lookup, setLookup] = useState('');
  const [candidates, setCandidates] = useState<Member[] | null>(null);
  const [member, setMember] = useState<Member | null>(null);
  const [holdings, setHoldings] = useState<Holdings | null>(null);
  const [couponIds, setCouponIds] = useState<string[]>([]);
  const [points, setPoints] = useState<number>(0);
  const [storedValue, setStoredValue] = useState('');
  const [authCode, setAuthCode] = useState('');
  const [collect, setCollect] = useState<Collect>('auth_code');
  const [qrChannel, setQrChannel] = useState<'wechatpay' | 'alipay'>('wechatpay');
  const [preview, setPreview] = useState<{ key: string; value: Preview | null; problem: string | null } | null>(null);
  const [reference, setReference] = useState(() => newReference('co'));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<CheckoutResult | null>(null);

  useEffect(() => {
    if (!storeId && stores.length) setStoreId(stores[0]!.id);
  }, [stores, storeId]);

  const amountFen = useMemo(() => {
    if (mode === 'amount') return parseYuan(amount) ?? 0;
    return lines.reduce((sum, l) => sum + (parseYuan(l.unit_price) ?? 0) * (l.quantity || 0), 0);
  }, [mode, amount, lines]);

  const loadHoldings = async (m: Member) => {
    const [pts, account, coupons] = await Promise.all([
      api.get<PointsSummary>(`/v1/members/${m.id}/points`),
      api.get<StoredValueAccount>(`/v1/members/${m.id}/stored-value`),
      api.get<Page<Coupon>>(`/v1/members/${m.id}/coupons`, { limit: 100 }),
    ]);
    setHoldings({ points: pts, account, coupons: coupons.items.filter((c) => c.status === 'issued') });
  };

  const choose = async (m: Member) => {
    setMember(m);
    setCandidates(null);
    setCouponIds([]);
    setPoints(0);
    setStoredValue('');
    setHoldings(null);
    try {
      await loadHoldings(m);
    } catch (e) {
      setProblem(problemText(e));
    }
  };

  const find = async () => {
    if (!lookup.trim()) return;
    setProblem(null);
    try {
      const found = await identify(lookup);
      if (found.length === 1) await choose(found[0]!);
      else setCandidates(found);
    } catch (e) {
      setProblem(problemText(e));
    }
  };

  const tier = tiers.find((x) => x.code === member?.tier.code);
  const rate = program?.redeem_points_per_yuan ?? 100;

  /** The order as POST /v1/checkouts (and its preview) take it. */
  const orderBody = (): Record<string, unknown> | null => {
    if (!member || !storeId || amountFen <= 0) return null;
    const sv = parseYuan(storedValue);
    return {
      member_id: member.id,
      store_id: storeId,
      reference,
      ...(mode === 'amount'
        ? { amount_fen: amountFen }
        : {
            lines: lines
              .filter((l) => (parseYuan(l.unit_price) ?? -1) >= 0 && l.quantity > 0)
              .map((l) => ({ ...(l.product_sku.trim() ? { product_sku: l.product_sku.trim() } : {}), ...(l.category.trim() ? { category: l.category.trim() } : {}), unit_price_fen: parseYuan(l.unit_price) ?? 0, quantity: l.quantity })),
          }),
      ...(couponIds.length ? { coupon_ids: couponIds } : {}),
      ...(points > 0 ? { points } : {}),
      ...(sv ? { stored_value_fen: sv } : {}),
    };
  };
  const order = orderBody();
  const orderKey = order ? JSON.stringify(order) : null;

  // The breakdown comes from the server, priced exactly as the checkout will be; typing is debounced.
  useEffect(() => {
    if (!orderKey) {
      setPreview(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api
        .post<Preview>('/v1/checkouts/preview', JSON.parse(orderKey) as unknown)
        .then((value) => live && setPreview({ key: orderKey, value, problem: null }))
        .catch((e: unknown) => live && setPreview({ key: orderKey, value: null, problem: problemText(e) }));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [orderKey]);
  const shown = preview?.value ?? null;
  const current = preview !== null && preview.key === orderKey;
  const due = order ? (shown?.remainder_due_fen ?? null) : amountFen;

  const reset = () => {
    setResult(null);
    setMember(null);
    setHoldings(null);
    setCouponIds([]);
    setPoints(0);
    setStoredValue('');
    setAuthCode('');
    setPreview(null);
    setAmount('');
    setLines([{ key: '1', product_sku: '', category: '', unit_price: '', quantity: 1 }]);
    setLookup('');
    setReference(newReference('co'));
    setProblem(null);
  };

  const submit = async () => {
    const body = orderBody();
    if (!body) return;
    setBusy(true);
    setProblem(null);
    try {
      const payment = collect === 'qr' ? { method: 'qr', channel: qrChannel } : authCode.trim() ? { auth_code: authCode.trim() } : null;
      const r = await api.post<CheckoutResult>('/v1/checkouts', { ...body, ...(payment && { payment }) });
      setResult(r);
      if (r.status !== 'awaiting_payment') message.success(t('counter.done'));
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  if (result && result.status === 'awaiting_payment' && result.remainder_payment?.code_url) {
    return <QrWait result={result} onSettled={setResult} />;
  }
  if (result) return <Receipt result={result} member={member} templateOf={templateOf} holdings={holdings} onNext={reset} formatTime={formatTime} />;

  return (
    <>
      <PageHeader title={t('counter.title')} testId="page-title" />
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="counter-error" closable onClose={() => setProblem(null)} />}
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card title={t('counter.order')} size="small">
            <Form layout="vertical">
              <Form.Item label={t('payments.store')}>
                <Select value={storeId} onChange={setStoreId} style={{ width: 240 }} data-testid="counter-store" options={stores.map((s) => ({ value: s.id, label: <span data-testid={`store-option-${s.id}`}>{s.name}</span> }))} />
              </Form.Item>
              <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as 'amount' | 'lines')} style={{ marginBottom: 12 }}>
                <Radio.Button value="amount" data-testid="counter-mode-amount">{t('counter.byAmount')}</Radio.Button>
                <Radio.Button value="lines" data-testid="counter-mode-lines">{t('counter.byLines')}</Radio.Button>
              </Radio.Group>
              {mode === 'amount' ? (
                <Form.Item label={t('counter.amount')}>
                  <Input prefix="¥" size="large" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} style={{ width: 240 }} placeholder="0.00" data-testid="counter-amount" />
                </Form.Item>
              ) : (
                <>
                  {lines.map((l, i) => (
                    <Space key={l.key} style={{ marginBottom: 8 }} wrap>
                      <Input placeholder={t('counter.sku')} value={l.product_sku} onChange={(e) => setLines(lines.map((x) => (x.key === l.key ? { ...x, product_sku: e.target.value } : x)))} style={{ width: 120 }} data-testid={`line-sku-${i}`} />
                      <Input placeholder={t('counter.category')} value={l.category} onChange={(e) => setLines(lines.map((x) => (x.key === l.key ? { ...x, category: e.target.value } : x)))} style={{ width: 110 }} data-testid={`line-category-${i}`} />
                      <Input prefix="¥" placeholder={t('counter.unitPrice')} value={l.unit_price} onChange={(e) => setLines(lines.map((x) => (x.key === l.key ? { ...x, unit_price: e.target.value } : x)))} style={{ width: 120 }} data-testid={`line-price-${i}`} />
                      <InputNumber min={1} max={10_000} precision={0} value={l.quantity} onChange={(v) => setLines(lines.map((x) => (x.key === l.key ? { ...x, quantity: v ?? 1 } : x)))} style={{ width: 80 }} data-testid={`line-qty-${i}`} />
                      <Button icon={<DeleteOutlined />} disabled={lines.length === 1} onClick={() => setLines(lines.filter((x) => x.key !== l.key))} />
                    </Space>
                  ))}
                  <div>
                    <Button icon={<PlusOutlined />} onClick={() => setLines([...lines, { key: String(Date.now()), product_sku: '', category: '', unit_price: '', quantity: 1 }])} data-testid="line-add">
                      {t('counter.addLine')}
                    </Button>
                  </div>
                </>
              )}
              <Typography.Title level={4} style={{ marginTop: 12 }} data-testid="counter-total" data-fen={amountFen}>
                {t('counter.total')}: {yuan(amountFen)}
              </Typography.Title>
            </Form>
          </Card>

          <Card title={t('counter.member')} size="small" style={{ marginTop: 16 }}>
            <Space.Compact style={{ width: '100%' }}>
              <Input
                prefix={<ScanOutlined />}
                placeholder={t('counter.identifyHint')}
                value={lookup}
                onChange={(e) => setLookup(e.target.value)}
                onPressEnter={() => void find()}
                data-testid="counter-lookup"
                autoFocus
              />
              <Button type="primary" onClick={() => void find()} data-testid="counter-identify">
                {t('counter.identify')}
              </Button>
            </Space.Compact>
            {candidates && candidates.length === 0 && <Empty description={t('counter.noMember')} data-testid="counter-no-member" />}
            {candidates && candidates.length > 1 && (
              <Table<Member>
                size="small"
                rowKey="id"
                pagination={false}
                style={{ marginTop: 12 }}
                dataSource={candidates}
                columns={[
                  { title: t('mem.cardNumber'), dataIndex: 'card_number' },
                  { title: t('mem.name'), dataIndex: 'display_name' },
                  { title: t('common.phone'), dataIndex: 'phone' },
                  { title: '', key: 'pick', render: (_: unknown, m) => <Button size="small" onClick={() => void choose(m)} data-testid={`counter-pick-${m.id}`}>{t('counter.pick')}</Button> },
                ]}
              />
            )}
            {member && (
              <Descriptions size="small" column={2} style={{ marginTop: 12 }} data-testid="counter-member" data-member-id={member.id}>
                <Descriptions.Item label={t('mem.cardNumber')}>
                  <code>{member.card_number}</code>
                </Descriptions.Item>
                <Descriptions.Item label={t('mem.name')}>{member.display_name ?? member.phone ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('mem.tier')}>
                  {member.tier.code ? <Tag color="gold">{tierName(member.tier.code)}</Tag> : '—'}
                  {tier && tier.discount_bps > 0 && <Typography.Text type="secondary">{t('counter.tierDiscount', { percent: String(tier.discount_bps / 100) })}</Typography.Text>}
                </Descriptions.Item>
                <Descriptions.Item label={t('mem.points.available')}>
                  <span data-testid="counter-points-available">{holdings?.points.available ?? '…'}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('mem.sv.balance')}>
                  <span data-testid="counter-sv-balance">{holdings ? yuan(holdings.account.balance_fen) : '…'}</span>
                </Descriptions.Item>
                <Descriptions.Item label="">
                  <Link to={`/membership/members?member=${member.id}`}>{t('counter.openMember')}</Link>
                </Descriptions.Item>
              </Descriptions>
            )}
          </Card>

          {member && holdings && (
            <Card title={t('counter.use')} size="small" style={{ marginTop: 16 }}>
              <Typography.Text strong>{t('mem.coupons')}</Typography.Text>
              {holdings.coupons.length === 0 ? (
                <div>
                  <Typography.Text type="secondary">{t('counter.noCoupons')}</Typography.Text>
                </div>
              ) : (
                <Checkbox.Group value={couponIds} onChange={(v) => setCouponIds(v as string[])} style={{ display: 'flex', flexDirection: 'column', gap: 6, margin: '8px 0' }} data-testid="counter-coupons">
                  {holdings.coupons.map((c) => {
                    const tpl = templateOf(c.template_id);
                    return (
                      <Checkbox key={c.id} value={c.id} data-testid={`counter-coupon-${c.id}`}>
                        {tpl?.name ?? c.template_id} · {tpl ? couponTermsText(t, tpl) : ''} · <Typography.Text type="secondary">{t('mem.coupons.validUntil')} {formatTime(c.valid_until)}</Typography.Text>
                      </Checkbox>
                    );
                  })}
                </Checkbox.Group>
              )}
              <Divider style={{ margin: '12px 0' }} />
              <Space size="large" wrap>
                <Space direction="vertical" size={2}>
                  <Typography.Text strong>{t('counter.usePoints')}</Typography.Text>
                  <InputNumber min={0} max={Math.max(0, holdings.points.available)} precision={0} value={points} onChange={(v) => setPoints(v ?? 0)} data-testid="counter-points" />
                  <Typography.Text type="secondary">{t('counter.pointsRate', { rate })}</Typography.Text>
                </Space>
                <Space direction="vertical" size={2}>
                  <Typography.Text strong>{t('counter.useStoredValue')}</Typography.Text>
                  <Input prefix="¥" value={storedValue} onChange={(e) => setStoredValue(e.target.value)} style={{ width: 160 }} placeholder="0.00" data-testid="counter-stored-value" />
                  <Typography.Text type="secondary">{t('counter.svMax', { amount: yuan(holdings.account.balance_fen) })}</Typography.Text>
                </Space>
              </Space>
            </Card>
          )}
        </Col>

        <Col xs={24} lg={10}>
          <Card title={t('counter.breakdown')} size="small" data-testid="counter-breakdown">
            <Spin spinning={Boolean(order) && !current} delay={300}>
              <Descriptions size="small" column={1} data-testid="counter-preview" data-current={String(current)}>
                <Descriptions.Item label={t('counter.total')}>{yuan(amountFen)}</Descriptions.Item>
                <Descriptions.Item label={t('counter.memberDiscount')}>-{yuan(shown?.member_discount_fen ?? 0)}</Descriptions.Item>
                {(shown?.coupons ?? []).map((c) => {
                  const coupon = holdings?.coupons.find((x) => x.id === c.coupon_id);
                  return (
                    <Descriptions.Item key={c.coupon_id} label={templateOf(coupon?.template_id ?? '')?.name ?? t('mem.coupons')}>
                      <span data-testid={`counter-preview-coupon-${c.coupon_id}`}>-{yuan(c.discount_fen)}</span>
                    </Descriptions.Item>
                  );
                })}
                <Descriptions.Item label={t('counter.pointsValue', { points: shown?.points.spent ?? points })}>-{yuan(shown?.points.value_fen ?? 0)}</Descriptions.Item>
                <Descriptions.Item label={t('counter.storedValue')}>
                  -{yuan(shown?.stored_value.spent_fen ?? 0)}
                  {shown && shown.stored_value.spent_fen > 0 && (
                    <Typography.Text type="secondary">
                      {' '}
                      ({t('mem.sv.principal')} {yuan(shown.stored_value.principal_fen)} · {t('mem.sv.bonus')} {yuan(shown.stored_value.bonus_fen)})
                    </Typography.Text>
                  )}
                </Descriptions.Item>
              </Descriptions>
            </Spin>
            {preview?.problem && current && <Alert type="warning" showIcon title={preview.problem} style={{ marginTop: 8 }} data-testid="counter-preview-error" />}
            <Divider style={{ margin: '8px 0' }} />
            <Flex justify="space-between" align="baseline">
              <Typography.Text strong>{t('counter.remainder')}</Typography.Text>
              <Typography.Title level={2} style={{ margin: 0 }} data-testid="counter-estimate" data-fen={due ?? ''}>
                {due === null ? '—' : yuan(due)}
              </Typography.Title>
            </Flex>
            <Typography.Text type="secondary">{order ? t('mmx.previewExact') : t('mmx.noPreview')}</Typography.Text>
            <Divider style={{ margin: '12px 0' }} />
            <Typography.Text strong>{t('mmx.collectBy')}</Typography.Text>
            <div style={{ marginTop: 6 }}>
              <Radio.Group value={collect} onChange={(e) => setCollect(e.target.value as Collect)} optionType="button">
                <Radio value="auth_code"><span data-testid="counter-collect-auth-code">{t('mmx.collectAuthCode')}</span></Radio>
                <Radio value="qr"><span data-testid="counter-collect-qr">{t('mmx.collectQr')}</span></Radio>
              </Radio.Group>
            </div>
            {collect === 'auth_code' ? (
              <>
                <Input
                  prefix={<ScanOutlined />}
                  value={authCode}
                  onChange={(e) => setAuthCode(e.target.value)}
                  placeholder={t('counter.authCodeHint')}
                  style={{ marginTop: 8 }}
                  inputMode="numeric"
                  data-testid="counter-auth-code"
                />
              </>
            ) : (
              <Space style={{ marginTop: 8 }}>
                <Typography.Text>{t('mmx.qrChannel')}</Typography.Text>
                <Radio.Group value={qrChannel} onChange={(e) => setQrChannel(e.target.value as 'wechatpay' | 'alipay')}>
                  <Radio value="wechatpay"><span data-testid="counter-qr-wechatpay">{t('channel.wechatpay')}</span></Radio>
                  <Radio value="alipay"><span data-testid="counter-qr-alipay">{t('channel.alipay')}</span></Radio>
                </Radio.Group>
              </Space>
            )}
            <Button type="primary" size="large" block style={{ marginTop: 16 }} loading={busy} disabled={!order || (current && preview?.problem !== null)} onClick={() => void submit()} data-testid="counter-submit">
              {t('counter.submit')}
            </Button>
          </Card>
        </Col>
      </Row>
    </>
  );
}

function Receipt({
  result,
  member,
  templateOf,
  holdings,
  onNext,
  formatTime,
}: {
  result: CheckoutResult;
  member: Member | null;
  templateOf: (id: string) => CouponTemplate | undefined;
  holdings: Holdings | null;
  onNext(): void;
  formatTime: (iso: string | null | undefined) => string;
}) {
  const { t } = useI18n();
  const payment = result.remainder_payment;
  const paid = payment && ['succeeded', 'paid'].includes(String(payment.status));
  const released = result.status === 'released';
  return (
    <Result
      status={released ? 'warning' : result.remainder_due_fen === 0 || paid ? 'success' : 'info'}
      title={released ? t('mmx.qrReleased') : t('counter.receipt')}
      subTitle={`${t('mem.reference')}: ${result.reference}${member ? ` · ${member.card_number}` : ''}`}
      extra={
        <Button type="primary" onClick={onNext} data-testid="counter-next">
          {t('counter.next')}
        </Button>
      }
    >
      <Descriptions size="small" column={1} bordered data-testid="counter-receipt" data-status={String(result.status)} data-remainder-fen={result.remainder_due_fen} style={{ maxWidth: 520, margin: '0 auto' }}>
        <Descriptions.Item label={t('counter.total')}>{yuan(result.amount_fen)}</Descriptions.Item>
        <Descriptions.Item label={t('counter.memberDiscount')}>
          <span data-testid="receipt-member-discount">-{yuan(result.member_discount_fen)}</span>
        </Descriptions.Item>
        {result.coupons.map((c) => {
          const coupon = holdings?.coupons.find((x) => x.id === c.coupon_id);
          return (
            <Descriptions.Item key={c.coupon_id} label={templateOf(coupon?.template_id ?? '')?.name ?? c.coupon_id}>
              <span data-testid={`receipt-coupon-${c.coupon_id}`}>-{yuan(c.discount_fen)}</span>
            </Descriptions.Item>
          );
        })}
        <Descriptions.Item label={t('counter.pointsValue', { points: result.points.spent })}>
          <span data-testid="receipt-points">-{yuan(result.points.value_fen)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('counter.storedValue')}>
          <span data-testid="receipt-stored-value">-{yuan(result.stored_value.spent_fen)}</span>
          {result.stored_value.spent_fen > 0 && (
            <Typography.Text type="secondary">
              {' '}
              ({t('mem.sv.principal')} {yuan(result.stored_value.principal_fen)} · {t('mem.sv.bonus')} {yuan(result.stored_value.bonus_fen)})
            </Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('counter.remainder')}>
          <Typography.Text strong style={{ fontSize: 18 }} data-testid="receipt-remainder">
            {yuan(result.remainder_due_fen)}
          </Typography.Text>
        </Descriptions.Item>
        {result.remainder_due_fen > 0 && (
          <Descriptions.Item label={t('counter.remainderPayment')}>
            <span data-testid="receipt-payment" data-status={payment ? String(payment.status) : 'none'}>
              {payment ? `${codeText(t, 'status', String(payment.status))}${payment.detail ? ` · ${String(payment.detail)}` : ''}` : t('counter.collectElsewhere')}
            </span>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('mem.time')}>{formatTime(new Date().toISOString())}</Descriptions.Item>
      </Descriptions>
    </Result>
  );
}

/**
 * 顾客扫码: the QR of the remainder's payment, shown until the checkout settles — completed when the
 * buyer pays, released (everything restored) when the payment fails, expires or is given up here.
 */
function QrWait({ result, onSettled }: { result: CheckoutResult; onSettled(r: CheckoutResult): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const payment = result.remainder_payment!;
  const [closing, setClosing] = useState(false);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const now = await api.get<CheckoutResult>(`/v1/checkouts/${result.id}`);
        if (!live) return;
        if (now.status !== 'awaiting_payment') {
          if (now.status === 'completed') message.success(t('mmx.qrPaid'));
          onSettled(now);
          return;
        }
      } catch {
        // A dropped request is retried on the next round; the checkout's state lives on the server.
      }
      if (live) timer = setTimeout(() => void poll(), 1_500);
    };
    timer = setTimeout(() => void poll(), 1_000);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [result.id, onSettled, message, t]);

  const giveUp = async () => {
    setClosing(true);
    try {
      // Closing the payment releases the checkout (the poll above sees it).
      await api.post(`/v1/payments/${String(payment.payment_id)}/close`, {});
    } catch (e) {
      message.error(problemText(e));
      setClosing(false);
    }
  };

  const channel = String(payment.channel ?? 'wechatpay');
  return (
    <Result
      icon={<QRCode value={String(payment.code_url)} size={220} data-testid="counter-qr" data-code-url={String(payment.code_url)} style={{ margin: '0 auto' }} />}
      title={t('mmx.qrTitle')}
      subTitle={
        <Space direction="vertical" size={4}>
          <Typography.Title level={2} style={{ margin: 0 }} data-testid="counter-qr-amount">
            {yuan(result.remainder_due_fen)}
          </Typography.Title>
          <span>{t('mmx.qrHint', { channel: t(channel === 'alipay' ? 'channel.alipay' : 'channel.wechatpay') })}</span>
          <span data-testid="counter-qr-status">
            <Spin size="small" /> {t('mmx.qrWaiting')}
          </span>
        </Space>
      }
      extra={
        <Button danger loading={closing} onClick={() => void giveUp()} data-testid="counter-qr-give-up">
          {t('mmx.qrGiveUp')}
        </Button>
      }
    />
  );
}
