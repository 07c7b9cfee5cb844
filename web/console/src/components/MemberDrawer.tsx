import { useCallback, useEffect, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Col, DatePicker, Descriptions, Drawer, Flex, Form, Input, InputNumber, Modal, Popconfirm, Radio, Row, Select, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { Link } from 'react-router-dom';
import { api, ApiError, request, type Page } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { MergeShortfalls } from './MergeShortfalls.js';
import { LoadError } from './PageHeader.js';
import { StatusTag } from './StatusTag.js';
import { problemText } from './problems.js';
import { buttonTestId, rowTestId } from './testid.js';
import { parseYuan, useStores, yuan, type Payment } from './payments.js';
import {
  membershipRoles,
  newReference,
  useCouponTemplates,
  useProgram,
  useTiers,
  type Coupon,
  type Member,
  type PointsEntry,
  type PointsLot,
  type PointsSummary,
  type StoredValueAccount,
  type StoredValueEntry,
  type TierChange,
} from './membership.js';
import { codeText, couponTermsText, MemberCard } from './membership-ui.js';
import { CheckoutsTable, MemberTopUps, TopUpQrWait, type TopUp } from './membership-money.js';

// A member's drawer: the card and profile, tier with history and the manual floor, points (balance,
// lots, ledger, adjustment), stored value (principal and bonus, top-ups paid through payments with
// their principal refunds, ledger, the offline 退卡 record), checkout receipts with refunds, coupons
// held, and the payments of the person behind the member. Buttons follow src/modules/membership/policies.ts.

interface Ledgers {
  points: PointsSummary;
  lots: PointsLot[];
  entries: PointsEntry[];
  account: StoredValueAccount;
  svEntries: StoredValueEntry[];
  coupons: Coupon[];
  history: TierChange[];
}

export function MemberDrawer({ memberId, onClose, onChanged }: { memberId: string | null; onClose(): void; onChanged?(m: Member): void }) {
  const { t, formatTime } = useI18n();
  const me = useMe();
  const [member, setMember] = useState<Member | null>(null);
  const [ledgers, setLedgers] = useState<Ledgers | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<null | 'adjust' | 'floor' | 'refund' | 'topup' | 'issue'>(null);
  const { program } = useProgram();
  const { tiers, tierName } = useTiers();
  const { templates, templateOf } = useCouponTemplates(memberId !== null);
  const { storeName } = useStores(memberId !== null);
  const changed = useRef(onChanged);
  changed.current = onChanged;

  const load = useCallback(async (id: string) => {
    try {
      const m = await api.get<Member>(`/v1/members/${id}`);
      setMember(m);
      changed.current?.(m);
      const [points, lots, entries, account, svEntries, coupons, history] = await Promise.all([
        api.get<PointsSummary>(`/v1/members/${id}/points`),
        api.get<Page<PointsLot>>(`/v1/members/${id}/points/lots`, { limit: 100 }),
        api.get<Page<PointsEntry>>(`/v1/members/${id}/points/entries`, { limit: 100 }),
        api.get<StoredValueAccount>(`/v1/members/${id}/stored-value`),
        api.get<Page<StoredValueEntry>>(`/v1/members/${id}/stored-value/entries`, { limit: 100 }),
        api.get<Page<Coupon>>(`/v1/members/${id}/coupons`, { limit: 100 }),
        api.get<Page<TierChange>>(`/v1/members/${id}/tier-history`, { limit: 100 }),
      ]);
      setLedgers({ points, lots: lots.items, entries: entries.items, account, svEntries: svEntries.items, coupons: coupons.items, history: history.items });
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    setMember(null);
    setLedgers(null);
    setError(null);
    if (memberId) void load(memberId);
  }, [memberId, load]);

  // `version` tells the money lists (top-ups, checkouts) to load again with the ledgers.
  const [version, setVersion] = useState(0);
  const reload = () => {
    if (!memberId) return;
    void load(memberId);
    setVersion((v) => v + 1);
  };
  const canAdjust = hasRole(me, membershipRoles.managers);
  const canFloor = hasRole(me, membershipRoles.owners);
  const canRefund = hasRole(me, membershipRoles.managers);
  const canTopUp = hasRole(me, membershipRoles.counter);
  const canIssue = hasRole(me, membershipRoles.managers);

  return (
    <Drawer
      open={memberId !== null}
      onClose={onClose}
      size={920}
      title={t('mem.detail.title')}
      data-testid="member-drawer"
      extra={
        <Button icon={<ReloadOutlined />} onClick={reload} data-testid="member-reload">
          {t('common.refresh')}
        </Button>
      }
    >
      <LoadError error={error} />
      {member && ledgers && (
        <>
          <Flex gap={24} wrap align="start">
            <MemberCard program={program} cardNumber={member.card_number} name={member.display_name} tierName={member.tier.code ? tierName(member.tier.code) : null} />
            <Descriptions size="small" column={1} style={{ flex: 1, minWidth: 320 }} data-testid="member-profile" data-member-id={member.id}>
              <Descriptions.Item label={t('mem.cardNumber')}>
                <code data-testid="member-card-no">{member.card_number}</code>
              </Descriptions.Item>
              <Descriptions.Item label={t('mem.name')}>{member.display_name ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('common.phone')}>{member.phone ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('mem.birthday')}>{member.birthday ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('common.status')}>
                <StatusTag status={member.status} />
              </Descriptions.Item>
              <Descriptions.Item label={t('mem.joinedAt')}>
                {formatTime(member.joined_at)} · {codeText(t, 'joinChannel', member.join_channel)}
                {member.store_id ? ` · ${storeName(member.store_id)}` : ''}
              </Descriptions.Item>
              <Descriptions.Item label={t('mem.consent')}>
                {member.consent_version} · {member.consent_purposes.join(', ')} · {t('mem.marketingOptIn')}: {member.marketing_opt_in ? t('common.yes') : t('common.no')}
              </Descriptions.Item>
              <Descriptions.Item label="ID+">
                {member.person_id ? (
                  <Link to={`/identity/persons?person=${member.person_id}`} data-testid="member-person">
                    {t('mem.detail.openPerson')} <code className="id">{member.person_id}</code>
                  </Link>
                ) : (
                  '—'
                )}
              </Descriptions.Item>
            </Descriptions>
          </Flex>
          <MergeShortfalls memberId={member.id} onChanged={reload} />
          <Tabs
            style={{ marginTop: 16 }}
            items={[
              {
                key: 'points',
                label: <span data-testid="member-tab-points">{t('mem.points')}</span>,
                children: (
                  <>
                    <Row gutter={16}>
                      <Col span={6}>
                        <Statistic title={t('mem.points.available')} value={ledgers.points.available} data-testid="points-available" />
                      </Col>
                      <Col span={6}>
                        <Statistic title={t('mem.points.pending')} value={ledgers.points.pending} data-testid="points-pending" />
                      </Col>
                      <Col span={6}>
                        <Statistic title={t('mem.points.debt')} value={ledgers.points.debt} />
                      </Col>
                      <Col span={6}>
                        <Statistic
                          title={t('mem.points.nextExpiry')}
                          value={ledgers.points.next_expiry ? ledgers.points.next_expiry.points : '—'}
                          suffix={ledgers.points.next_expiry ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatTime(ledgers.points.next_expiry.at)}</Typography.Text> : null}
                        />
                      </Col>
                    </Row>
                    {canAdjust && (
                      <Button style={{ marginTop: 12 }} onClick={() => setDialog('adjust')} data-testid="points-adjust">
                        {t('mem.points.adjust')}
                      </Button>
                    )}
                    <Typography.Title level={5} style={{ marginTop: 16 }}>
                      {t('mem.points.lots')}
                    </Typography.Title>
                    <Table<PointsLot>
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={ledgers.lots}
                      data-testid="points-lots"
                      columns={[
                        { title: t('mem.points.earnedAt'), dataIndex: 'earned_at', render: (v: string) => formatTime(v) },
                        { title: t('mem.points.source'), dataIndex: 'source', render: (v: string) => codeText(t, 'lotSource', v) },
                        { title: t('mem.points.points'), dataIndex: 'points', align: 'right' },
                        { title: t('mem.points.remaining'), dataIndex: 'remaining', align: 'right' },
                        { title: t('mem.points.availableAt'), dataIndex: 'available_at', render: (v: string) => formatTime(v) },
                        { title: t('mem.points.expiresAt'), dataIndex: 'expires_at', render: (v: string | null) => (v ? formatTime(v) : t('mem.never')) },
                      ]}
                    />
                    <Typography.Title level={5} style={{ marginTop: 16 }}>
                      {t('mem.points.entries')}
                    </Typography.Title>
                    <Table<PointsEntry>
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={ledgers.entries}
                      data-testid="points-entries"
                      onRow={(e) => ({ ...rowTestId(`points-entry-${e.id}`), 'data-type': e.type, 'data-delta': e.delta }) as HTMLAttributes<HTMLElement>}
                      columns={[
                        { title: t('mem.time'), dataIndex: 'occurred_at', render: (v: string) => formatTime(v) },
                        { title: t('mem.entryType'), dataIndex: 'type', render: (v: string) => codeText(t, 'pointsEntry', v) },
                        { title: t('mem.points.delta'), dataIndex: 'delta', align: 'right', render: (v: number) => <Typography.Text type={v < 0 ? 'danger' : 'success'}>{v > 0 ? `+${v}` : v}</Typography.Text> },
                        { title: t('mem.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
                        { title: t('mem.reference'), dataIndex: 'reference', render: (v: string | null) => (v ? <code className="id">{v}</code> : '—') },
                      ]}
                    />
                  </>
                ),
              },
              {
                key: 'stored-value',
                label: <span data-testid="member-tab-stored-value">{t('mem.storedValue')}</span>,
                children: (
                  <>
                    <Row gutter={16}>
                      <Col span={6}>
                        <Statistic title={t('mem.sv.balance')} value={yuan(ledgers.account.balance_fen)} data-testid="sv-balance" />
                      </Col>
                      <Col span={6}>
                        <Statistic title={t('mem.sv.principal')} value={yuan(ledgers.account.principal_fen)} data-testid="sv-principal" />
                      </Col>
                      <Col span={6}>
                        <Statistic title={t('mem.sv.bonus')} value={yuan(ledgers.account.bonus_fen)} data-testid="sv-bonus" />
                      </Col>
                      <Col span={6}>
                        <Statistic title={t('mem.sv.cap')} value={yuan(ledgers.account.cap_fen)} />
                      </Col>
                    </Row>
                    <Space style={{ marginTop: 12 }}>
                      {canTopUp && (
                        <Button onClick={() => setDialog('topup')} data-testid="sv-topup">
                          {t('mem.sv.topUp')}
                        </Button>
                      )}
                      {canRefund && ledgers.account.principal_fen > 0 && (
                        <Button onClick={() => setDialog('refund')} data-testid="sv-refund">
                          {t('mmx.offlineRefund')}
                        </Button>
                      )}
                    </Space>
                    <Typography.Title level={5} style={{ marginTop: 16 }}>
                      {t('mmx.topUps')}
                    </Typography.Title>
                    <MemberTopUps memberId={member.id} canRefund={canRefund} onChanged={reload} version={version} />
                    <Typography.Title level={5} style={{ marginTop: 16 }}>
                      {t('mem.storedValue')}
                    </Typography.Title>
                    <Table<StoredValueEntry>
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={ledgers.svEntries}
                      data-testid="sv-entries"
                      onRow={(e) => ({ ...rowTestId(`sv-entry-${e.id}`), 'data-type': e.type }) as HTMLAttributes<HTMLElement>}
                      columns={[
                        { title: t('mem.time'), dataIndex: 'occurred_at', render: (v: string) => formatTime(v) },
                        { title: t('mem.entryType'), dataIndex: 'type', render: (v: string) => codeText(t, 'svEntry', v) },
                        { title: t('mem.sv.principal'), dataIndex: 'principal_fen', align: 'right', render: (v: number) => yuan(v) },
                        { title: t('mem.sv.bonus'), dataIndex: 'bonus_fen', align: 'right', render: (v: number) => yuan(v) },
                        { title: t('mem.reference'), key: 'ref', render: (_: unknown, e) => <code className="id">{e.payment_reference ?? e.reference ?? '—'}</code> },
                        { title: t('mem.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
                      ]}
                    />
                  </>
                ),
              },
              {
                key: 'coupons',
                label: <span data-testid="member-tab-coupons">{t('mem.coupons')}</span>,
                children: (
                  <>
                    {canIssue && (
                      <Button onClick={() => setDialog('issue')} style={{ marginBottom: 12 }} data-testid="member-issue-coupon">
                        {t('mem.coupons.issue')}
                      </Button>
                    )}
                    <Table<Coupon>
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={ledgers.coupons}
                      data-testid="member-coupons"
                      onRow={(c) => ({ ...rowTestId(`member-coupon-${c.id}`), 'data-status': c.status }) as HTMLAttributes<HTMLElement>}
                      columns={[
                        { title: t('mem.coupons.template'), dataIndex: 'template_id', render: (v: string) => templateOf(v)?.name ?? v },
                        { title: t('mem.coupons.terms'), key: 'terms', render: (_: unknown, c) => { const tpl = templateOf(c.template_id); return tpl ? couponTermsText(t, tpl) : '—'; } },
                        { title: t('mem.coupons.code'), dataIndex: 'code', render: (v: string) => <code>{v}</code> },
                        { title: t('common.status'), dataIndex: 'status', render: (v: string) => <Tag>{codeText(t, 'couponStatus', v)}</Tag> },
                        { title: t('mem.coupons.validUntil'), dataIndex: 'valid_until', render: (v: string) => formatTime(v) },
                        { title: t('mem.coupons.source'), dataIndex: 'issue_source', render: (v: string) => codeText(t, 'issueSource', v) },
                        ...(canIssue
                          ? [
                              {
                                title: t('common.actions'),
                                key: 'actions',
                                render: (_: unknown, c: Coupon) =>
                                  c.status === 'issued' ? <VoidCouponButton coupon={c} onDone={reload} /> : null,
                              },
                            ]
                          : []),
                      ]}
                    />
                  </>
                ),
              },
              {
                key: 'tier',
                label: <span data-testid="member-tab-tier">{t('mem.tier')}</span>,
                children: (
                  <>
                    <Descriptions size="small" column={2} bordered data-testid="member-tier">
                      <Descriptions.Item label={t('mem.tier')}>{member.tier.code ? <Tag color="gold">{tierName(member.tier.code)}</Tag> : t('mem.noTier')}</Descriptions.Item>
                      <Descriptions.Item label={t('mem.tier.since')}>{formatTime(member.tier.since)}</Descriptions.Item>
                      <Descriptions.Item label={t('mem.tier.floor')} span={2}>
                        <span data-testid="member-tier-floor">
                          {member.tier.floor
                            ? t('mem.tier.floorText', { tier: tierName(member.tier.floor.code), until: member.tier.floor.expires_at ? formatTime(member.tier.floor.expires_at) : t('mem.never'), reason: member.tier.floor.reason ?? '' })
                            : t('common.none')}
                        </span>
                      </Descriptions.Item>
                    </Descriptions>
                    {canFloor && (
                      <Button style={{ marginTop: 12 }} onClick={() => setDialog('floor')} data-testid="tier-floor-set">
                        {t('mem.tier.setFloor')}
                      </Button>
                    )}
                    <Typography.Title level={5} style={{ marginTop: 16 }}>
                      {t('mem.tier.history')}
                    </Typography.Title>
                    <Table<TierChange>
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={ledgers.history}
                      data-testid="tier-history"
                      columns={[
                        { title: t('mem.time'), dataIndex: 'occurred_at', render: (v: string) => formatTime(v) },
                        { title: t('mem.tier.change'), key: 'change', render: (_: unknown, h) => `${tierName(h.from_tier)} → ${tierName(h.to_tier)}` },
                        { title: t('mem.reason'), key: 'reason', render: (_: unknown, h) => `${codeText(t, 'tierReason', h.reason)}${h.detail ? ` · ${h.detail}` : ''}` },
                        { title: t('mem.tier.metric'), dataIndex: 'metric', align: 'right', render: (v: number | null) => v ?? '—' },
                      ]}
                    />
                  </>
                ),
              },
              {
                key: 'checkouts',
                label: <span data-testid="member-tab-checkouts">{t('mmx.checkouts')}</span>,
                children: <CheckoutsTable version={version} memberId={member.id} canRefund={hasRole(me, membershipRoles.managers)} onChanged={reload} />,
              },
              {
                key: 'payments',
                label: <span data-testid="member-tab-payments">{t('mem.payments')}</span>,
                children: <MemberPayments personId={member.person_id} />,
              },
            ]}
          />
          <AdjustPointsModal open={dialog === 'adjust'} member={member} onClose={() => setDialog(null)} onDone={() => { setDialog(null); reload(); }} />
          <TierFloorModal open={dialog === 'floor'} member={member} tiers={tiers.map((x) => ({ code: x.code, name: x.name }))} onClose={() => setDialog(null)} onDone={() => { setDialog(null); reload(); }} />
          <RefundPrincipalModal open={dialog === 'refund'} member={member} account={ledgers.account} onClose={() => setDialog(null)} onDone={() => { setDialog(null); reload(); }} />
          <TopUpModal open={dialog === 'topup'} member={member} onClose={() => setDialog(null)} onDone={() => { setDialog(null); reload(); }} />
          <IssueCouponModal
            open={dialog === 'issue'}
            memberId={member.id}
            templates={templates.filter((x) => x.status === 'active').map((x) => ({ id: x.id, name: x.name }))}
            onClose={() => setDialog(null)}
            onDone={() => { setDialog(null); reload(); }}
          />
        </>
      )}
    </Drawer>
  );
}

/** The person's payments, when the payments API can filter by person; else the way to the ID+ panel. */
function MemberPayments({ personId }: { personId: string | null }) {
  const { t, formatTime } = useI18n();
  const [items, setItems] = useState<Payment[] | null>(null);
  const [unsupported, setUnsupported] = useState(false);
  useEffect(() => {
    setItems(null);
    setUnsupported(false);
    if (!personId) return;
    api
      .get<Page<Payment>>('/v1/payments', { person_id: personId, limit: 50 })
      .then((page) => setItems(page.items))
      .catch((e: unknown) => {
        // 400: the payments API does not filter by person (yet); 403: the role cannot see payments.
        if (e instanceof ApiError && (e.status === 400 || e.status === 403)) setUnsupported(true);
      });
  }, [personId]);
  if (!personId) return <Typography.Text type="secondary">{t('mem.payments.noPerson')}</Typography.Text>;
  if (unsupported)
    return (
      <Alert
        type="info"
        showIcon
        title={t('mem.payments.viaIdentity')}
        action={<Link to={`/identity/persons?person=${personId}`}>{t('mem.detail.openPerson')}</Link>}
        data-testid="member-payments-unsupported"
      />
    );
  return (
    <Table<Payment>
      size="small"
      rowKey="id"
      pagination={false}
      loading={items === null}
      dataSource={items ?? []}
      data-testid="member-payments"
      columns={[
        { title: t('mem.time'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
        { title: t('payments.amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => yuan(v) },
        { title: t('payments.refunded'), dataIndex: 'refunded_fen', align: 'right', render: (v: number) => (v ? yuan(v) : '—') },
        { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
        { title: t('payments.orderNo'), dataIndex: 'merchant_order_no', render: (v: string) => <code className="id">{v}</code> },
      ]}
    />
  );
}

function VoidCouponButton({ coupon, onDone }: { coupon: Coupon; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [reason, setReason] = useState('');
  return (
    <Popconfirm
      title={t('mem.coupons.voidConfirm')}
      description={<Input placeholder={t('mem.reason')} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="coupon-void-reason" />}
      okText={t('mem.coupons.void')}
      cancelText={t('common.cancel')}
      okButtonProps={{ ...buttonTestId('coupon-void-confirm'), danger: true }}
      onConfirm={async () => {
        try {
          await api.post(`/v1/membership/coupons/${coupon.id}/void`, { reason: reason.trim() || '—' });
          message.success(t('mem.coupons.voided'));
          onDone();
        } catch (e) {
          message.error(problemText(e));
        }
      }}
    >
      <Button size="small" danger data-testid={`coupon-void-${coupon.id}`}>
        {t('mem.coupons.void')}
      </Button>
    </Popconfirm>
  );
}

/** A modal with one form, a problem line and a submit that posts once per opening. */
function useDialog<T extends object>(open: boolean, initial: Partial<T>) {
  const [form] = Form.useForm<T>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [reference, setReference] = useState(() => newReference('cs'));
  const initialKey = JSON.stringify(initial);
  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue(JSON.parse(initialKey) as never);
      setProblem(null);
      setReference(newReference('cs'));
    }
  }, [open, form, initialKey]);
  const run = async (action: (values: T) => Promise<void>) => {
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    setBusy(true);
    setProblem(null);
    try {
      await action(values);
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };
  return { form, busy, problem, reference, run };
}

function ProblemLine({ problem, testId }: { problem: string | null; testId: string }) {
  return problem ? <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid={testId} /> : null;
}

function AdjustPointsModal({ open, member, onClose, onDone }: { open: boolean; member: Member; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const d = useDialog<{ points: number; reason: string }>(open, {});
  return (
    <Modal
      open={open}
      title={t('mem.points.adjust')}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      confirmLoading={d.busy}
      okButtonProps={buttonTestId('adjust-submit')}
      onCancel={onClose}
      forceRender
      onOk={() =>
        void d.run(async (v) => {
          await api.post(`/v1/members/${member.id}/points/adjust`, { points: v.points, reason: v.reason.trim(), reference: d.reference });
          message.success(t('common.saved'));
          onDone();
        })
      }
    >
      <ProblemLine problem={d.problem} testId="adjust-error" />
      <Typography.Paragraph type="secondary">{t('mem.points.adjustHint')}</Typography.Paragraph>
      <Form form={d.form} layout="vertical">
        <Form.Item name="points" label={t('mem.points.delta')} rules={[{ required: true, message: t('common.required') }, { validator: async (_r, v: number | null) => (v === 0 ? Promise.reject(new Error(t('mem.points.notZero'))) : undefined) }]}>
          <InputNumber precision={0} style={{ width: 200 }} data-testid="adjust-points" />
        </Form.Item>
        <Form.Item name="reason" label={t('mem.reason')} rules={[{ required: true, whitespace: true, message: t('mem.reasonRequired') }, { max: 500 }]}>
          <Input.TextArea rows={2} data-testid="adjust-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function TierFloorModal({ open, member, tiers, onClose, onDone }: { open: boolean; member: Member; tiers: { code: string; name: string }[]; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const d = useDialog<{ tier_code: string | null; expires_at: Dayjs | null; reason: string }>(open, { tier_code: member.tier.floor?.code ?? null });
  return (
    <Modal
      open={open}
      title={t('mem.tier.setFloor')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={d.busy}
      okButtonProps={buttonTestId('floor-submit')}
      onCancel={onClose}
      forceRender
      onOk={() =>
        void d.run(async (v) => {
          await request('PUT', `/v1/members/${member.id}/tier-floor`, { tier_code: v.tier_code ?? null, expires_at: v.expires_at ? v.expires_at.endOf('day').toDate().toISOString() : null, reason: v.reason.trim() });
          message.success(t('common.saved'));
          onDone();
        })
      }
    >
      <ProblemLine problem={d.problem} testId="floor-error" />
      <Typography.Paragraph type="secondary">{t('mem.tier.floorHint')}</Typography.Paragraph>
      <Form form={d.form} layout="vertical">
        <Form.Item name="tier_code" label={t('mem.tier')}>
          <Select allowClear placeholder={t('mem.tier.clearFloor')} data-testid="floor-tier" options={tiers.map((x) => ({ value: x.code, label: <span data-testid={`floor-tier-${x.code}`}>{x.name}</span> }))} />
        </Form.Item>
        <Form.Item name="expires_at" label={t('mem.tier.floorUntil')}>
          <DatePicker data-testid="floor-expires" />
        </Form.Item>
        <Form.Item name="reason" label={t('mem.reason')} rules={[{ required: true, whitespace: true, message: t('mem.reasonRequired') }, { max: 500 }]}>
          <Input data-testid="floor-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RefundPrincipalModal({ open, member, account, onClose, onDone }: { open: boolean; member: Member; account: StoredValueAccount; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const d = useDialog<{ reason: string }>(open, {});
  return (
    <Modal
      open={open}
      title={t('mmx.offlineRefund')}
      okText={t('mmx.offlineRefund')}
      cancelText={t('common.cancel')}
      confirmLoading={d.busy}
      okButtonProps={{ ...buttonTestId('sv-refund-submit'), danger: true }}
      onCancel={onClose}
      forceRender
      onOk={() =>
        void d.run(async (v) => {
          await api.post(`/v1/members/${member.id}/stored-value/principal-refund`, { reason: v.reason.trim(), refund_reference: d.reference });
          message.success(t('mem.sv.refunded'));
          onDone();
        })
      }
    >
      <ProblemLine problem={d.problem} testId="sv-refund-error" />
      <Alert type="warning" showIcon title={t('mmx.offlineRefundHint')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph>{t('mem.sv.refundHint', { principal: yuan(account.principal_fen), bonus: yuan(account.bonus_fen) })}</Typography.Paragraph>
      <Form form={d.form} layout="vertical">
        <Form.Item name="reason" label={t('mem.reason')} rules={[{ required: true, whitespace: true, message: t('mem.reasonRequired') }, { max: 500 }]}>
          <Input data-testid="sv-refund-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * 充值: collect with the buyer's 付款码 (POST /v1/membership/top-ups, credited when the payment
 * succeeds), or record a top-up already paid elsewhere against its payment reference.
 */
function TopUpModal({ open, member, onClose, onDone }: { open: boolean; member: Member; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const { program } = useProgram();
  const { stores } = useStores(open);
  const d = useDialog<{ mode: 'collect' | 'qr' | 'record'; amount: string; auth_code?: string; store_id?: string; payment_reference?: string; channel?: 'wechatpay' | 'alipay' }>(open, { mode: 'collect', store_id: me.store_ids?.[0], channel: 'wechatpay' });
  const mode = Form.useWatch('mode', d.form);
  // A QR top-up waits here for the buyer's payment (membership-money.tsx TopUpQrWait).
  const [waiting, setWaiting] = useState<TopUp | null>(null);
  useEffect(() => {
    if (!open) setWaiting(null);
  }, [open]);
  return (
    <Modal
      open={open}
      title={t('mem.sv.topUp')}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      confirmLoading={d.busy}
      okButtonProps={buttonTestId('topup-submit')}
      footer={waiting ? null : undefined}
      onCancel={onClose}
      forceRender
      onOk={() =>
        void d.run(async (v) => {
          const amount = parseYuan(v.amount);
          if (amount === null) return;
          if (v.mode === 'qr') {
            const r = await request<TopUp>('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: v.store_id, amount_fen: amount, payment: { method: 'qr', channel: v.channel ?? 'wechatpay' } });
            if (r.status === 'failed') throw new Error(`${t('mem.sv.topUpFailed')}: ${r.failure_reason ?? ''}`);
            if (r.status === 'awaiting_payment' && r.payment?.code_url) {
              setWaiting(r);
              return;
            }
            message.success(t('mem.sv.toppedUp', { bonus: yuan(r.bonus_fen) }));
          } else if (v.mode === 'collect') {
            const r = await request<{ status: string; bonus_fen: number; failure_reason: string | null }>('POST', '/v1/membership/top-ups', {
              member_id: member.id,
              store_id: v.store_id,
              amount_fen: amount,
              payment: { auth_code: (v.auth_code ?? '').trim() },
            });
            if (r.status === 'failed') throw new Error(`${t('mem.sv.topUpFailed')}: ${r.failure_reason ?? ''}`);
            message.success(r.status === 'credited' ? t('mem.sv.toppedUp', { bonus: yuan(r.bonus_fen) }) : t('mem.sv.topUpPending'));
          } else {
            const r = await api.post<{ bonus_fen: number }>(`/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: amount, payment_reference: (v.payment_reference ?? '').trim() });
            message.success(t('mem.sv.toppedUp', { bonus: yuan(r.bonus_fen) }));
          }
          onDone();
        })
      }
    >
      {waiting && <TopUpQrWait topUp={waiting} onSettled={onDone} />}
      <div style={waiting ? { display: 'none' } : undefined}>
        <ProblemLine problem={d.problem} testId="topup-error" />
        {program && program.top_up_plans.length > 0 && (
          <Typography.Paragraph type="secondary">
            {t('mem.sv.plans')}: {program.top_up_plans.map((p) => t('mem.sv.planText', { pay: yuan(p.pay_fen), bonus: yuan(p.bonus_fen) })).join(' · ')}
          </Typography.Paragraph>
        )}
        <Form form={d.form} layout="vertical">
          <Form.Item name="mode">
            <Radio.Group optionType="button">
              <Radio value="collect" data-testid="topup-mode-collect">{t('mem.sv.collect')}</Radio>
              <Radio value="qr"><span data-testid="topup-mode-qr">{t('mmx.collectQr')}</span></Radio>
              <Radio value="record" data-testid="topup-mode-record">{t('mem.sv.record')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="amount" label={t('mem.sv.topUpAmount')} rules={[{ required: true, message: t('common.required') }, { validator: async (_r, v: string | undefined) => (v && (parseYuan(v) ?? 0) < 1 ? Promise.reject(new Error(t('payments.amountInvalid'))) : undefined) }]}>
            <Input prefix="¥" inputMode="decimal" data-testid="topup-amount" />
          </Form.Item>
          {mode === 'record' ? (
            <Form.Item name="payment_reference" label={t('mem.sv.paymentReference')} extra={t('mem.sv.paymentReferenceHint')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 128 }]}>
              <Input data-testid="topup-reference" />
            </Form.Item>
          ) : (
            <>
              <Form.Item name="store_id" label={t('payments.store')} rules={[{ required: true, message: t('common.required') }]}>
                <Select options={stores.map((s) => ({ value: s.id, label: <span data-testid={`topup-store-${s.id}`}>{s.name}</span> }))} data-testid="topup-store" />
              </Form.Item>
              {mode === 'qr' ? (
                <Form.Item name="channel" label={t('mmx.qrChannel')}>
                  <Radio.Group>
                    <Radio value="wechatpay"><span data-testid="topup-qr-wechatpay">{t('channel.wechatpay')}</span></Radio>
                    <Radio value="alipay"><span data-testid="topup-qr-alipay">{t('channel.alipay')}</span></Radio>
                  </Radio.Group>
                </Form.Item>
              ) : (
                <Form.Item name="auth_code" label={t('counter.authCode')} extra={t('counter.authCodeHint')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
                  <Input inputMode="numeric" data-testid="topup-auth-code" />
                </Form.Item>
              )}
            </>
          )}
        </Form>
      </div>
    </Modal>
  );
}

function IssueCouponModal({ open, memberId, templates, onClose, onDone }: { open: boolean; memberId: string; templates: { id: string; name: string }[]; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const d = useDialog<{ template_id: string }>(open, {});
  return (
    <Modal
      open={open}
      title={t('mem.coupons.issue')}
      okText={t('mem.coupons.issueSubmit')}
      cancelText={t('common.cancel')}
      confirmLoading={d.busy}
      okButtonProps={buttonTestId('issue-submit')}
      onCancel={onClose}
      forceRender
      onOk={() =>
        void d.run(async (v) => {
          await api.post(`/v1/membership/coupon-templates/${v.template_id}/issues`, { member_id: memberId, source: 'manual', reference: d.reference });
          message.success(t('mem.coupons.issued'));
          onDone();
        })
      }
    >
      <ProblemLine problem={d.problem} testId="issue-error" />
      <Form form={d.form} layout="vertical">
        <Form.Item name="template_id" label={t('mem.coupons.template')} rules={[{ required: true, message: t('common.required') }]}>
          <Select data-testid="issue-template" options={templates.map((x) => ({ value: x.id, label: <span data-testid={`issue-template-${x.id}`}>{x.name}</span> }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
