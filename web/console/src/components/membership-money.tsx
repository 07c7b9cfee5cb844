import { useCallback, useEffect, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Flex, Form, Input, Modal, QRCode, Radio, Space, Spin, Table, Tag, Typography } from 'antd';
import { api, type Page } from '../api.js';
import { useI18n, type Translate } from '../i18n.js';
import { LoadError } from './PageHeader.js';
import { problemText } from './problems.js';
import { buttonTestId, rowTestId } from './testid.js';
import { parseYuan, useStores, yuan } from './payments.js';
import { codeText } from './membership-ui.js';

// Membership money in the console (src/modules/membership/payment-routes.ts, checkout-console-routes.ts):
// checkout receipts with refunds (money back through payments, value restored), and the paid top-ups
// of a member with refunds of their unused principal through payments.

export interface CheckoutRefund {
  id: string;
  amount_fen: number;
  cash_fen: number;
  stored_value_fen: number;
  points_restored: number;
  points_reversed: number;
  coupons_restored: boolean;
  payment_refund_id: string | null;
  payment_refund_status: string | null;
  reason: string;
  created_at: string;
}

export interface CheckoutDetail {
  id: string;
  reference: string;
  member_id: string;
  store_id: string;
  status: string;
  amount_fen: number;
  member_discount_fen: number;
  coupons: { coupon_id: string; discount_fen: number }[];
  points: { spent: number; value_fen: number };
  stored_value: { spent_fen: number; principal_fen: number; bonus_fen: number; entry_id: string | null };
  remainder_due_fen: number;
  remainder_payment: { payment_id: string; status: string; method: string | null; channel: string | null; code_url: string | null } | null;
  points_earned: number;
  refunded_fen: number;
  refunds: CheckoutRefund[];
  created_at: string;
  completed_at: string | null;
  released_at: string | null;
  release_reason: string | null;
}

export interface CheckoutSummary {
  id: string;
  reference: string;
  member_id: string;
  store_id: string;
  status: string;
  amount_fen: number;
  member_discount_fen: number;
  coupon_discount_fen: number;
  points_spent: number;
  points_value_fen: number;
  stored_value_fen: number;
  remainder_due_fen: number;
  payment_id: string | null;
  payment_method: string | null;
  points_earned: number;
  refunded_fen: number;
  created_at: string;
  completed_at: string | null;
  released_at: string | null;
}

export interface TopUpRefund {
  id: string;
  principal_fen: number;
  forfeited_bonus_fen: number;
  payment_refund_id: string | null;
  status: string;
  reason: string;
  created_at: string;
}

export interface TopUp {
  id: string;
  member_id: string;
  store_id: string;
  principal_fen: number;
  bonus_fen: number;
  status: string;
  method: string;
  payment: { payment_id: string; status: string; method: string | null; channel: string | null; code_url: string | null } | null;
  failure_reason: string | null;
  entry_id: string | null;
  refunded_principal_fen: number;
  forfeited_bonus_fen: number;
  refunds: TopUpRefund[];
  created_at: string;
  credited_at: string | null;
}

const checkoutColours: Record<string, string> = { completed: 'green', awaiting_payment: 'gold', remainder_due: 'blue', released: 'default', refunded: 'purple' };
const topUpColours: Record<string, string> = { credited: 'green', awaiting_payment: 'gold', failed: 'red' };

export function CheckoutStatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  return <Tag color={checkoutColours[status] ?? 'default'}>{codeText(t, 'mmx.checkoutStatus', status)}</Tag>;
}

function TopUpStatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  return <Tag color={topUpColours[status] ?? 'default'}>{codeText(t, 'mmx.topUpStatus', status)}</Tag>;
}

/** Fen of a completed checkout that can still be refunded: points value + stored value + money collected through payments. */
export function refundableOf(c: CheckoutDetail): number {
  if (c.status !== 'completed') return 0;
  const cash = c.remainder_payment ? c.remainder_due_fen : 0;
  return Math.max(0, c.points.value_fen + c.stored_value.spent_fen + cash - c.refunded_fen);
}

const refundStatusText = (t: Translate, status: string | null) => (status ? codeText(t, 'mmx.refundStatus', status) : '—');

/** The receipts of one member (or every checkout of the merchant when memberId is null). */
export function CheckoutsTable({ memberId, status, canRefund, onChanged, version = 0, testId = 'member-checkouts' }: { memberId: string | null; status?: string | undefined; canRefund: boolean; onChanged?(): void; version?: number; testId?: string }) {
  const { t, formatTime } = useI18n();
  const { storeName } = useStores();
  const [items, setItems] = useState<CheckoutSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(
    async (after?: string) => {
      try {
        const page = await api.get<Page<CheckoutSummary>>('/v1/checkouts', { ...(memberId && { member_id: memberId }), ...(status && { status }), limit: 50, ...(after && { after }) });
        setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    [memberId, status],
  );
  useEffect(() => {
    void load();
  }, [load, version]);

  return (
    <>
      <LoadError error={error} />
      <Table<CheckoutSummary>
        size="small"
        rowKey="id"
        pagination={false}
        loading={items === null && !error}
        dataSource={items ?? []}
        data-testid={testId}
        onRow={(c) => ({ ...rowTestId(`checkout-row-${c.id}`), 'data-status': c.status, onClick: () => setOpen(c.id), style: { cursor: 'pointer' } }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('mem.time'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          { title: t('mem.reference'), dataIndex: 'reference', render: (v: string) => <code className="id">{v}</code> },
          ...(memberId ? [] : [{ title: t('payments.store'), dataIndex: 'store_id', render: (v: string) => storeName(v) }]),
          { title: t('counter.total'), dataIndex: 'amount_fen', align: 'right' as const, render: (v: number) => yuan(v) },
          { title: t('mmx.valueUsed'), key: 'value', align: 'right' as const, render: (_: unknown, c: CheckoutSummary) => yuan(c.member_discount_fen + c.coupon_discount_fen + c.points_value_fen + c.stored_value_fen) },
          { title: t('counter.remainder'), dataIndex: 'remainder_due_fen', align: 'right' as const, render: (v: number) => yuan(v) },
          { title: t('payments.refunded'), dataIndex: 'refunded_fen', align: 'right' as const, render: (v: number) => (v ? yuan(v) : '—') },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <CheckoutStatusTag status={v} /> },
        ]}
      />
      {cursor && (
        <Button style={{ marginTop: 8 }} onClick={() => void load(cursor)}>
          {t('common.loadMore')}
        </Button>
      )}
      <CheckoutDrawer
        checkoutId={open}
        canRefund={canRefund}
        onClose={() => setOpen(null)}
        onChanged={() => {
          void load();
          onChanged?.();
        }}
      />
    </>
  );
}

/** One receipt: the breakdown, the payment of the remainder, refunds, and the refund action. */
export function CheckoutDrawer({ checkoutId, canRefund, onClose, onChanged }: { checkoutId: string | null; canRefund: boolean; onClose(): void; onChanged?(): void }) {
  const { t, formatTime } = useI18n();
  const [detail, setDetail] = useState<CheckoutDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [refunding, setRefunding] = useState(false);

  const load = useCallback(async (id: string) => {
    try {
      setDetail(await api.get<CheckoutDetail>(`/v1/checkouts/${id}`));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    setDetail(null);
    if (checkoutId) void load(checkoutId);
  }, [checkoutId, load]);

  const refundable = detail ? refundableOf(detail) : 0;
  return (
    <Drawer open={checkoutId !== null} onClose={onClose} size={760} title={t('mmx.checkoutTitle')} data-testid="checkout-drawer">
      <LoadError error={error} />
      {detail && (
        <>
          <Descriptions size="small" column={2} bordered data-testid="checkout-detail" data-status={detail.status} data-refunded-fen={detail.refunded_fen} data-refundable-fen={refundable}>
            <Descriptions.Item label={t('mem.reference')} span={2}>
              <code>{detail.reference}</code> · <CheckoutStatusTag status={detail.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('counter.total')}>{yuan(detail.amount_fen)}</Descriptions.Item>
            <Descriptions.Item label={t('counter.memberDiscount')}>-{yuan(detail.member_discount_fen)}</Descriptions.Item>
            <Descriptions.Item label={t('mem.coupons')}>-{yuan(detail.coupons.reduce((s, c) => s + c.discount_fen, 0))}</Descriptions.Item>
            <Descriptions.Item label={t('counter.pointsValue', { points: detail.points.spent })}>-{yuan(detail.points.value_fen)}</Descriptions.Item>
            <Descriptions.Item label={t('counter.storedValue')} span={2}>
              -{yuan(detail.stored_value.spent_fen)}
              {detail.stored_value.spent_fen > 0 && (
                <Typography.Text type="secondary">
                  {' '}
                  ({t('mem.sv.principal')} {yuan(detail.stored_value.principal_fen)} · {t('mem.sv.bonus')} {yuan(detail.stored_value.bonus_fen)})
                </Typography.Text>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('counter.remainder')}>{yuan(detail.remainder_due_fen)}</Descriptions.Item>
            <Descriptions.Item label={t('counter.remainderPayment')}>
              {detail.remainder_payment ? (
                <Space size={4}>
                  <code className="id">{detail.remainder_payment.payment_id}</code>
                  <Tag>{codeText(t, 'status', detail.remainder_payment.status)}</Tag>
                </Space>
              ) : detail.remainder_due_fen > 0 ? (
                t('counter.collectElsewhere')
              ) : (
                '—'
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('mmx.pointsEarned')}>{detail.points_earned}</Descriptions.Item>
            <Descriptions.Item label={t('payments.refunded')}>
              <span data-testid="checkout-refunded">{yuan(detail.refunded_fen)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('mem.time')}>{formatTime(detail.created_at)}</Descriptions.Item>
            <Descriptions.Item label={t('mmx.completedAt')}>{detail.completed_at ? formatTime(detail.completed_at) : detail.released_at ? `${t('mmx.checkoutStatus.released')} ${formatTime(detail.released_at)}` : '—'}</Descriptions.Item>
          </Descriptions>
          {canRefund && refundable > 0 && (
            <Button danger style={{ marginTop: 12 }} onClick={() => setRefunding(true)} data-testid="checkout-refund">
              {t('mmx.refundCheckout')}
            </Button>
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('payments.refunds')}
          </Typography.Title>
          <Table<CheckoutRefund>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={detail.refunds}
            data-testid="checkout-refunds"
            onRow={(r) => ({ ...rowTestId(`checkout-refund-${r.id}`), 'data-amount-fen': r.amount_fen, 'data-cash-fen': r.cash_fen }) as HTMLAttributes<HTMLElement>}
            locale={{ emptyText: t('payments.noRefunds') }}
            columns={[
              { title: t('mem.time'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
              { title: t('payments.amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => yuan(v) },
              { title: t('mmx.cashBack'), dataIndex: 'cash_fen', align: 'right', render: (v: number, r) => (v ? `${yuan(v)} · ${refundStatusText(t, r.payment_refund_status)}` : '—') },
              { title: t('counter.storedValue'), dataIndex: 'stored_value_fen', align: 'right', render: (v: number) => (v ? yuan(v) : '—') },
              { title: t('mmx.pointsBack'), key: 'points', render: (_: unknown, r) => `+${r.points_restored} / -${r.points_reversed}` },
              { title: t('mem.coupons'), dataIndex: 'coupons_restored', render: (v: boolean) => (v ? t('mmx.couponsRestored') : '—') },
              { title: t('mem.reason'), dataIndex: 'reason' },
            ]}
          />
          <CheckoutRefundModal
            open={refunding}
            checkout={detail}
            refundable={refundable}
            onClose={() => setRefunding(false)}
            onDone={(updated) => {
              setRefunding(false);
              setDetail(updated);
              onChanged?.();
            }}
          />
        </>
      )}
    </Drawer>
  );
}

/** Full or partial: the amount splits over points, stored value and money in proportion (server side). */
function CheckoutRefundModal({ open, checkout, refundable, onClose, onDone }: { open: boolean; checkout: CheckoutDetail; refundable: number; onClose(): void; onDone(c: CheckoutDetail): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: 'full' | 'partial'; amount?: string; reason: string }>();
  const kind = Form.useWatch('kind', form);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue({ kind: 'full' });
      setProblem(null);
    }
  }, [open, form]);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const amount = v.kind === 'partial' ? parseYuan(v.amount ?? '') : null;
      const updated = await api.post<CheckoutDetail>(`/v1/checkouts/${checkout.id}/refunds`, { reason: v.reason.trim(), ...(amount !== null && { amount_fen: amount }) });
      message.success(t('mmx.refunded'));
      onDone(updated);
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('mmx.refundCheckout')}
      okText={t('mmx.refundSubmit')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      okButtonProps={{ ...buttonTestId('checkout-refund-submit'), danger: true }}
      onOk={() => void submit()}
      onCancel={onClose}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="checkout-refund-error" />}
      <Typography.Paragraph>{t('mmx.refundCheckoutHint', { amount: yuan(refundable) })}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="kind">
          <Radio.Group optionType="button">
            <Radio value="full"><span data-testid="checkout-refund-full">{t('mmx.refundFull', { amount: yuan(refundable) })}</span></Radio>
            <Radio value="partial"><span data-testid="checkout-refund-partial">{t('mmx.refundPartial')}</span></Radio>
          </Radio.Group>
        </Form.Item>
        {kind === 'partial' && (
          <Form.Item
            name="amount"
            label={t('payments.amount')}
            rules={[
              { required: true, message: t('common.required') },
              { validator: async (_r, v: string | undefined) => { const f = parseYuan(v ?? ''); if (v && (f === null || f < 1 || f > refundable)) throw new Error(t('mmx.amountRange', { max: yuan(refundable) })); } },
            ]}
          >
            <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} data-testid="checkout-refund-amount" />
          </Form.Item>
        )}
        <Form.Item name="reason" label={t('mem.reason')} rules={[{ required: true, whitespace: true, message: t('mem.reasonRequired') }, { max: 80 }]}>
          <Input data-testid="checkout-refund-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A member's top-ups paid through payments; each credited one can give its unused principal back through its payment. */
export function MemberTopUps({ memberId, canRefund, onChanged, version }: { memberId: string; canRefund: boolean; onChanged(): void; version: number }) {
  const { t, formatTime } = useI18n();
  const [items, setItems] = useState<TopUp[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [refunding, setRefunding] = useState<TopUp | null>(null);
  const load = useCallback(async () => {
    try {
      setItems((await api.get<Page<TopUp>>(`/v1/members/${memberId}/top-ups`, { limit: 100 })).items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [memberId]);
  useEffect(() => {
    void load();
  }, [load, version]);
  return (
    <>
      <LoadError error={error} />
      <Table<TopUp>
        size="small"
        rowKey="id"
        pagination={false}
        loading={items === null && !error}
        dataSource={items ?? []}
        data-testid="member-top-ups"
        locale={{ emptyText: t('mmx.noTopUps') }}
        onRow={(u) => ({ ...rowTestId(`top-up-row-${u.id}`), 'data-status': u.status, 'data-refunded-fen': u.refunded_principal_fen }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('mem.time'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          { title: t('mem.sv.principal'), dataIndex: 'principal_fen', align: 'right', render: (v: number) => yuan(v) },
          { title: t('mem.sv.bonus'), dataIndex: 'bonus_fen', align: 'right', render: (v: number) => yuan(v) },
          { title: t('mmx.method'), dataIndex: 'method', render: (v: string) => codeText(t, 'mmx.method', v) },
          { title: t('common.status'), dataIndex: 'status', render: (v: string, u) => (<Space size={4}><TopUpStatusTag status={v} />{u.failure_reason && <Typography.Text type="secondary">{u.failure_reason}</Typography.Text>}</Space>) },
          { title: t('mmx.principalRefunded'), dataIndex: 'refunded_principal_fen', align: 'right', render: (v: number, u) => (v ? `${yuan(v)}${u.forfeited_bonus_fen ? ` (${t('mmx.bonusLapsed', { amount: yuan(u.forfeited_bonus_fen) })})` : ''}` : '—') },
          {
            title: '',
            key: 'refund',
            render: (_: unknown, u) =>
              canRefund && u.status === 'credited' && u.payment && u.refunded_principal_fen < u.principal_fen ? (
                <Button size="small" danger onClick={() => setRefunding(u)} data-testid={`top-up-refund-${u.id}`}>
                  {t('mmx.refundTopUp')}
                </Button>
              ) : null,
          },
        ]}
      />
      <TopUpRefundModal
        topUp={refunding}
        onClose={() => setRefunding(null)}
        onDone={() => {
          setRefunding(null);
          void load();
          onChanged();
        }}
      />
    </>
  );
}

function TopUpRefundModal({ topUp, onClose, onDone }: { topUp: TopUp | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: 'all' | 'partial'; amount?: string; reason: string }>();
  const kind = Form.useWatch('kind', form);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const left = topUp ? topUp.principal_fen - topUp.refunded_principal_fen : 0;
  useEffect(() => {
    if (topUp) {
      form.resetFields();
      form.setFieldsValue({ kind: 'all' });
      setProblem(null);
    }
  }, [topUp, form]);
  const submit = async () => {
    if (!topUp) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const amount = v.kind === 'partial' ? parseYuan(v.amount ?? '') : null;
      const r = await api.post<TopUp>(`/v1/membership/top-ups/${topUp.id}/refunds`, { reason: v.reason.trim(), ...(amount !== null && { amount_fen: amount }) });
      const last = r.refunds.at(-1);
      message.success(t('mmx.topUpRefunded', { amount: yuan(last?.principal_fen ?? 0) }));
      onDone();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={topUp !== null}
      title={t('mmx.refundTopUp')}
      okText={t('mmx.refundSubmit')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      okButtonProps={{ ...buttonTestId('top-up-refund-submit'), danger: true }}
      onOk={() => void submit()}
      onCancel={onClose}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="top-up-refund-error" />}
      <Typography.Paragraph>{t('mmx.refundTopUpHint', { amount: yuan(left) })}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="kind">
          <Radio.Group optionType="button">
            <Radio value="all"><span data-testid="top-up-refund-all">{t('mmx.refundAllUnused')}</span></Radio>
            <Radio value="partial"><span data-testid="top-up-refund-partial">{t('mmx.refundPartial')}</span></Radio>
          </Radio.Group>
        </Form.Item>
        {kind === 'partial' && (
          <Form.Item
            name="amount"
            label={t('payments.amount')}
            rules={[
              { required: true, message: t('common.required') },
              { validator: async (_r, v: string | undefined) => { const f = parseYuan(v ?? ''); if (v && (f === null || f < 1 || f > left)) throw new Error(t('mmx.amountRange', { max: yuan(left) })); } },
            ]}
          >
            <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} data-testid="top-up-refund-amount" />
          </Form.Item>
        )}
        <Form.Item name="reason" label={t('mem.reason')} rules={[{ required: true, whitespace: true, message: t('mem.reasonRequired') }, { max: 80 }]}>
          <Input data-testid="top-up-refund-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A QR top-up waiting for the buyer: the code, then credited (or failed) when its payment ends. */
export function TopUpQrWait({ topUp, onSettled }: { topUp: TopUp; onSettled(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [closing, setClosing] = useState(false);
  // The parent's callback changes identity on each render; the poll must not restart for that.
  const settled = useRef(onSettled);
  settled.current = onSettled;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const now = await api.get<TopUp>(`/v1/membership/top-ups/${topUp.id}`);
        if (!live) return;
        if (now.status === 'credited') {
          message.success(t('mem.sv.toppedUp', { bonus: yuan(now.bonus_fen) }));
          settled.current();
          return;
        }
        if (now.status === 'failed') {
          message.warning(`${t('mem.sv.topUpFailed')}${now.failure_reason ? `: ${now.failure_reason}` : ''}`);
          settled.current();
          return;
        }
      } catch {
        // Retried on the next round; the top-up's state lives on the server.
      }
      if (live) timer = setTimeout(() => void poll(), 1_500);
    };
    timer = setTimeout(() => void poll(), 1_000);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [topUp.id, message, t]);
  const giveUp = async () => {
    setClosing(true);
    try {
      await api.post(`/v1/payments/${topUp.payment!.payment_id}/close`, {});
    } catch (e) {
      message.error(problemText(e));
      setClosing(false);
    }
  };
  const channel = topUp.payment?.channel === 'alipay' ? 'channel.alipay' : 'channel.wechatpay';
  return (
    <Flex vertical align="center" gap={8} data-testid="topup-qr-wait">
      <QRCode value={String(topUp.payment?.code_url)} size={200} data-testid="topup-qr" data-code-url={String(topUp.payment?.code_url)} />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {yuan(topUp.principal_fen)}
      </Typography.Title>
      <Typography.Text type="secondary">{t('mmx.qrHintTopUp', { channel: t(channel) })}</Typography.Text>
      <span>
        <Spin size="small" /> {t('mmx.qrWaiting')}
      </span>
      <Button danger loading={closing} onClick={() => void giveUp()} data-testid="topup-qr-give-up">
        {t('mmx.qrGiveUp')}
      </Button>
    </Flex>
  );
}
