import { useCallback, useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Flex, Form, Input, Modal, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { ReloadOutlined, RollbackOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { Link } from 'react-router-dom';
import { api } from '../api.js';
import { isMessageKey, useI18n, type MessageKey } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import { channels, formatPpm, parseYuan, paymentStatuses, shanghaiWallClockToIso, useStores, yuan, type Payment, type PaymentDetail, type Refund, type TimelineItem } from '../components/payments.js';

// 收款记录: every payment of the merchant (store staff: their stores), filtered by store, channel,
// status and time; a drawer with the payment's timeline (state changes, channel calls, channel
// notifications) and, for those allowed to, the refund action.

/** Roles the API lets refund (payments.refund in src/modules/payments/policies.ts). */
const refunders = ['merchant_owner', 'merchant_admin', 'store_manager'];
/** Roles that may collect, close and ask the channel about a payment (payments.collect). */
const collectors = [...refunders, 'cashier'];

interface Filters {
  store_id?: string;
  channel?: string;
  status?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

type Query = Record<string, string | undefined>;

const pickedAsShanghai = (d: Dayjs) => shanghaiWallClockToIso(d.year(), d.month(), d.date(), d.hour(), d.minute(), d.second());

function toQuery(f: Filters): Query {
  return {
    store_id: f.store_id,
    channel: f.channel,
    status: f.status,
    // The picked times are Beijing times, like every time the console shows.
    from: f.range?.[0] ? pickedAsShanghai(f.range[0]) : undefined,
    to: f.range?.[1] ? pickedAsShanghai(f.range[1]) : undefined,
  };
}

export function ChannelTag({ channel }: { channel: string }) {
  const { t } = useI18n();
  const key = `channel.${channel}`;
  return <Tag color={channel === 'wechatpay' ? 'green' : channel === 'alipay' ? 'blue' : 'default'}>{isMessageKey(key) ? t(key) : channel}</Tag>;
}

export default function PaymentsPage() {
  const { t, formatTime } = useI18n();
  const [form] = Form.useForm<Filters>();
  const [query, setQuery] = useState<Query>({});
  const list = usePagedList<Payment>('/v1/payments', query);
  const { stores, storeName } = useStores();
  const [open, setOpen] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title={t('payments.title')}
        testId="page-title"
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void list.reload()} data-testid="payments-refresh">
            {t('common.refresh')}
          </Button>
        }
      />
      <Form<Filters> form={form} layout="inline" className="filters" onFinish={(values) => setQuery(toQuery(values))} data-testid="payments-filters">
        <Form.Item name="store_id" label={t('payments.store')}>
          <Select
            allowClear
            style={{ width: 200 }}
            data-testid="payments-filter-store"
            options={stores.map((s) => ({ value: s.id, label: <span data-testid={`store-option-${s.id}`}>{s.name}</span> }))}
          />
        </Form.Item>
        <Form.Item name="channel" label={t('payments.channel')}>
          <Select allowClear style={{ width: 140 }} data-testid="payments-filter-channel" options={channels.map((c) => ({ value: c, label: <span data-testid={`channel-option-${c}`}>{t(`channel.${c}`)}</span> }))} />
        </Form.Item>
        <Form.Item name="status" label={t('common.status')}>
          <Select
            allowClear
            style={{ width: 140 }}
            data-testid="payments-filter-status"
            options={paymentStatuses.map((s) => ({ value: s, label: <span data-testid={`status-option-${s}`}><StatusTag status={s} /></span> }))}
          />
        </Form.Item>
        <Form.Item name="range" label={t('payments.time')}>
          <DatePicker.RangePicker showTime data-testid="payments-filter-range" />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="payments-search">
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setQuery({});
              }}
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <LoadError error={list.error} />
      <Table<Payment>
        data-testid="payments-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={(p) => ({ ...rowTestId(`payment-row-${p.id}`), 'data-status': p.status, onClick: () => setOpen(p.id), style: { cursor: 'pointer' } }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('payments.time'), dataIndex: 'created_at', render: (v: string) => formatTime(v), width: 180 },
          { title: t('payments.store'), dataIndex: 'store_id', render: (v: string, p) => `${storeName(v)}${p.desk ? ` · ${p.desk}` : ''}` },
          { title: t('payments.channel'), dataIndex: 'channel', render: (v: string) => <ChannelTag channel={v} /> },
          { title: t('payments.kind'), dataIndex: 'kind', render: (v: string) => <KindLabel kind={v} /> },
          { title: t('payments.amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => <Typography.Text strong>{yuan(v)}</Typography.Text> },
          { title: t('payments.refunded'), dataIndex: 'refunded_fen', align: 'right', render: (v: number) => (v ? <Typography.Text type="danger">{yuan(v)}</Typography.Text> : '—') },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          { title: t('payments.orderNo'), dataIndex: 'merchant_order_no', render: (v: string) => <code className="id">{v}</code> },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <PaymentDrawer paymentId={open} storeName={storeName} onClose={() => setOpen(null)} onChanged={(p) => list.replace((x) => x.id === p.id, p)} />
    </>
  );
}

function KindLabel({ kind }: { kind: string }) {
  const { t } = useI18n();
  const key = `paymentKind.${kind}`;
  return <>{isMessageKey(key) ? t(key) : kind}</>;
}

/** A random refund number for one refund dialog: retrying the same dialog cannot refund twice. */
function newRefundNo(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return `rf${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function PaymentDrawer({ paymentId, storeName, onClose, onChanged }: { paymentId: string | null; storeName(id: string): string; onClose(): void; onChanged(p: Payment): void }) {
  const { t, formatTime } = useI18n();
  const me = useMe();
  const canRefund = hasRole(me, refunders);
  const canQuery = hasRole(me, collectors);
  const [querying, setQuerying] = useState(false);
  const [detail, setDetail] = useState<PaymentDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [refunding, setRefunding] = useState(false);
  // The list's row is refreshed from the detail; a ref keeps the loader stable across list renders.
  const changed = useRef(onChanged);
  changed.current = onChanged;

  const load = useCallback(async (id: string) => {
    try {
      const d = await api.get<PaymentDetail>(`/v1/payments/${id}`);
      setDetail(d);
      setError(null);
      const { refunds: _refunds, timeline: _timeline, ...payment } = d;
      changed.current(payment);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    setDetail(null);
    setError(null);
    if (paymentId) void load(paymentId);
  }, [paymentId, load]);

  // A buyer says they were charged for a closed order: the channel's answer is applied (late_paid → refunded).
  const queryChannel = async (id: string) => {
    setQuerying(true);
    try {
      await api.post<Payment>(`/v1/payments/${id}/query`);
      await load(id);
    } catch (e) {
      setError(e);
    } finally {
      setQuerying(false);
    }
  };

  const refundable = detail ? detail.amount_fen - detail.refunded_fen : 0;
  const processingRefunds = detail?.refunds.filter((r) => r.status === 'processing').reduce((sum, r) => sum + r.amount_fen, 0) ?? 0;

  return (
    <Drawer
      open={paymentId !== null}
      onClose={onClose}
      size={760}
      title={t('payments.detailTitle')}
      data-testid="payment-drawer"
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => paymentId && void load(paymentId)} data-testid="payment-reload">
            {t('common.refresh')}
          </Button>
          {canQuery && detail && detail.status !== 'succeeded' && detail.status !== 'late_paid' && (
            <Button loading={querying} onClick={() => void queryChannel(detail.id)} data-testid="payment-query-channel">
              {t('payments.queryChannel')}
            </Button>
          )}
          {canRefund && detail?.status === 'succeeded' && refundable - processingRefunds > 0 && (
            <Button type="primary" danger icon={<RollbackOutlined />} onClick={() => setRefunding(true)} data-testid="payment-refund">
              {t('payments.refund')}
            </Button>
          )}
        </Space>
      }
    >
      <LoadError error={error} />
      {detail && (
        <>
          <Descriptions size="small" column={2} bordered data-testid="payment-summary" data-status={detail.status} data-refunded-fen={detail.refunded_fen}>
            <Descriptions.Item label={t('payments.amount')}>
              <Typography.Text strong style={{ fontSize: 18 }} data-testid="payment-amount">
                {yuan(detail.amount_fen)}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>
              <span data-testid="payment-status">
                <StatusTag status={detail.status} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.refunded')}>
              <span data-testid="payment-refunded">{yuan(detail.refunded_fen)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.refundable')}>
              <span data-testid="payment-refundable">{yuan(refundable)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.channel')}>
              <ChannelTag channel={detail.channel} /> <KindLabel kind={detail.kind} />
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.store')}>
              {storeName(detail.store_id)}
              {detail.desk ? ` · ${detail.desk}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.orderNo')} span={2}>
              <code>{detail.merchant_order_no}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.outTradeNo')} span={2}>
              <code>{detail.out_trade_no}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.channelTradeNo')} span={2}>
              {detail.channel_trade_no ? <code>{detail.channel_trade_no}</code> : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.payer')} span={2}>
              <Flex vertical gap={4} data-testid="payment-payer">
                {detail.payer_identifiers.length === 0 && '—'}
                {detail.payer_identifiers.map((p) => (
                  <span key={`${p.kind}:${p.value}`}>
                    <Tag>{p.kind}</Tag>
                    <code>{p.value}</code>
                    {p.app_id && <Typography.Text type="secondary"> ({p.app_id})</Typography.Text>}
                  </span>
                ))}
                {detail.person_id && (
                  <Link to={`/identity/persons?person=${detail.person_id}`} data-testid="payment-person">
                    {t('payments.openPerson')} <code className="id">{detail.person_id}</code>
                  </Link>
                )}
              </Flex>
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.feeRate')}>{formatPpm(detail.fee_rate_ppm)}</Descriptions.Item>
            <Descriptions.Item label={t('payments.paidAt')}>{formatTime(detail.paid_at)}</Descriptions.Item>
            <Descriptions.Item label={t('common.createdAt')}>{formatTime(detail.created_at)}</Descriptions.Item>
            <Descriptions.Item label={t('payments.expiresAt')}>{formatTime(detail.expires_at)}</Descriptions.Item>
            {detail.failure_reason && (
              <Descriptions.Item label={t('payments.failureReason')} span={2}>
                <Typography.Text type="danger">{detail.failure_reason}</Typography.Text>
              </Descriptions.Item>
            )}
            {detail.purpose && (
              <Descriptions.Item label={t('payments.purpose')} span={2}>
                <span data-testid="payment-purpose">
                  <Tag>{detail.purpose.module}</Tag>
                  {detail.purpose.kind} · <code>{detail.purpose.reference}</code>
                </span>
              </Descriptions.Item>
            )}
            {detail.status === 'late_paid' && (
              <Descriptions.Item span={2}>
                <Alert type="warning" showIcon title={t('payments.latePaidExplained')} data-testid="payment-late-paid" />
              </Descriptions.Item>
            )}
          </Descriptions>

          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('payments.refunds')}
          </Typography.Title>
          <Table<Refund>
            data-testid="payment-refunds"
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={detail.refunds}
            locale={{ emptyText: t('payments.noRefunds') }}
            onRow={(r) => ({ ...rowTestId(`refund-row-${r.id}`), 'data-status': r.status, 'data-amount-fen': r.amount_fen }) as HTMLAttributes<HTMLElement>}
            columns={[
              { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
              { title: t('payments.amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => yuan(v) },
              { title: t('payments.refundReason'), dataIndex: 'reason' },
              { title: t('common.status'), dataIndex: 'status', render: (v: string, r) => (r.failure_reason ? <Space><StatusTag status={v} />{r.failure_reason}</Space> : <StatusTag status={v} />) },
              { title: t('payments.refundNo'), dataIndex: 'out_refund_no', render: (v: string) => <code className="id">{v}</code> },
            ]}
          />

          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('payments.timeline')}
          </Typography.Title>
          <PaymentTimeline items={detail.timeline} />
        </>
      )}
      {detail && (
        <RefundModal
          payment={detail}
          maxFen={refundable - processingRefunds}
          open={refunding}
          onClose={() => setRefunding(false)}
          onDone={() => {
            setRefunding(false);
            void load(detail.id);
          }}
        />
      )}
    </Drawer>
  );
}

const timelineColours: Record<string, string> = {
  created: 'blue',
  state_changed: 'blue',
  notification_received: 'purple',
  notification_applied: 'purple',
  refund_requested: 'orange',
  refund_state_changed: 'orange',
  channel_error: 'red',
  amount_mismatch: 'red',
  late_channel_state: 'red',
  late_success: 'red',
};

/** One line under the event: the few fields a person reads first; the full detail stays one click away. */
function timelineSummary(item: TimelineItem, t: (key: MessageKey) => string): string {
  const d = (item.detail ?? {}) as Record<string, unknown>;
  const word = (v: unknown) => {
    const key = `status.${String(v)}`;
    return isMessageKey(key) ? t(key) : String(v);
  };
  const parts: string[] = [];
  if (d.from !== undefined && d.to !== undefined) parts.push(`${word(d.from)} → ${word(d.to)}`);
  if (typeof d.amount_fen === 'number') parts.push(yuan(d.amount_fen));
  if (typeof d.kind === 'string') parts.push(d.kind);
  if (typeof d.outcome === 'string') parts.push(d.outcome);
  if (typeof d.channel_state === 'string') parts.push(d.channel_state);
  if (typeof d.operation === 'string') parts.push(d.operation);
  if (typeof d.error === 'string') parts.push(d.error);
  if (typeof d.reason === 'string') parts.push(d.reason);
  if (typeof d.source === 'string') parts.push(d.source);
  if (typeof d.by === 'string') parts.push(d.by);
  return parts.join(' · ');
}

function PaymentTimeline({ items }: { items: TimelineItem[] }) {
  const { t, formatTime } = useI18n();
  const [expanded, setExpanded] = useState<string | null>(null);
  const rendered = useMemo(
    () =>
      items.map((item) => {
        const key = `timeline.${item.type}`;
        return {
          key: item.id,
          color: timelineColours[item.type] ?? 'gray',
          content: (
            <div data-testid={`timeline-${item.type}`} data-type={item.type}>
              <Space size={8} wrap>
                <Typography.Text strong>{isMessageKey(key) ? t(key) : item.type}</Typography.Text>
                <Typography.Text type="secondary">{formatTime(item.occurred_at)}</Typography.Text>
                {item.refund_id && <Tag>{t('payments.refund')}</Tag>}
              </Space>
              <div>
                <Typography.Text>{timelineSummary(item, t)}</Typography.Text>{' '}
                <Typography.Link onClick={() => setExpanded(expanded === item.id ? null : item.id)}>{t('common.details')}</Typography.Link>
              </div>
              {expanded === item.id && <pre className="json">{JSON.stringify(item.detail, null, 2)}</pre>}
            </div>
          ),
        };
      }),
    [items, t, formatTime, expanded],
  );
  if (!items.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return <Timeline data-testid="payment-timeline" items={rendered} />;
}

interface RefundForm {
  amount: string;
  reason: string;
}

function RefundModal({ payment, maxFen, open, onClose, onDone }: { payment: Payment; maxFen: number; open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RefundForm>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [refundNo, setRefundNo] = useState(newRefundNo);

  useEffect(() => {
    if (open) {
      form.setFieldsValue({ amount: '', reason: '' });
      setRefundNo(newRefundNo());
      setProblem(null);
    }
  }, [open, form]);

  const submit = async () => {
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const amountFen = parseYuan(values.amount);
    if (amountFen === null) return;
    setBusy(true);
    setProblem(null);
    try {
      const refund = await api.post<Refund>(`/v1/payments/${payment.id}/refunds`, { amount_fen: amountFen, out_refund_no: refundNo, reason: values.reason.trim() });
      if (refund.status === 'failed') message.error(`${t('payments.refundFailed')}: ${refund.failure_reason ?? ''}`);
      else message.success(t('payments.refundCreated'));
      onDone();
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('payments.refundTitle')}
      okText={t('payments.refund')}
      cancelText={t('common.cancel')}
      okButtonProps={{ ...buttonTestId('refund-submit'), danger: true }}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="refund-error" />}
      <Typography.Paragraph type="secondary">{t('payments.refundHint', { max: yuan(maxFen) })}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item
          name="amount"
          label={t('payments.refundAmount')}
          rules={[
            { required: true, message: t('common.required') },
            {
              validator: async (_rule, value: string | undefined) => {
                if (!value) return;
                const fen = parseYuan(value);
                if (fen === null || fen < 1) throw new Error(t('payments.amountInvalid'));
                if (fen > maxFen) throw new Error(t('payments.amountTooLarge', { max: yuan(maxFen) }));
              },
            },
          ]}
        >
          <Input prefix="¥" inputMode="decimal" placeholder="0.00" autoComplete="off" data-testid="refund-amount" />
        </Form.Item>
        <Form.Item name="reason" label={t('payments.refundReason')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 80 }]}>
          <Input data-testid="refund-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
