import { useCallback, useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Col, DatePicker, Drawer, Form, Input, InputNumber, Modal, Popconfirm, Radio, Row, Select, Space, Statistic, Switch, Table, Tag, Typography } from 'antd';
import { BarChartOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { api, request, type Page } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { EChart } from '../components/EChart.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import { parseYuan, useStores, yuan } from '../components/payments.js';
import { bpsPercent, couponKinds, membershipRoles, newReference, type Coupon, type CouponCounts, type CouponKind, type CouponTemplate, type Member, type TemplateStats } from '../components/membership.js';
import { codeText, CouponKindTag, couponTermsText } from '../components/membership-ui.js';
import { CouponGiftRules } from '../components/CouponGiftRules.js';

// 卡券: templates (cash off, percent off with cap, 满减, free item, exchange) with stock, per-member
// limit, validity, stores/products and stacking; issue and redemption statistics per template with
// a per-day chart; issue to a member; void; and which templates partners may issue.

export default function CouponTemplatesPage() {
  const { t, formatTime } = useI18n();
  const me = useMe();
  const { message } = App.useApp();
  const canWrite = hasRole(me, membershipRoles.owners);
  const canIssue = hasRole(me, membershipRoles.managers);
  const [status, setStatus] = useState<string | undefined>('active');
  const list = usePagedList<CouponTemplate>('/v1/membership/coupon-templates', { status });
  const [counts, setCounts] = useState<Map<string, CouponCounts>>(new Map());
  const [partnerIds, setPartnerIds] = useState<Set<string>>(new Set());
  const [creating, setCreating] = useState(false);
  const [statsOf, setStatsOf] = useState<CouponTemplate | null>(null);
  const [issuing, setIssuing] = useState<CouponTemplate | null>(null);

  const loadExtras = useCallback(async () => {
    const [stats, partner] = await Promise.all([
      api.get<{ items: CouponCounts[] }>('/v1/membership/coupon-stats'),
      api.get<{ items: { id: string }[] }>('/v1/membership/partner/coupon-templates'),
    ]);
    setCounts(new Map(stats.items.map((c) => [c.template_id, c])));
    setPartnerIds(new Set(partner.items.map((p) => p.id)));
  }, []);
  useEffect(() => {
    void loadExtras().catch(() => undefined);
  }, [loadExtras]);

  const reload = () => {
    void list.reload();
    void loadExtras().catch(() => undefined);
  };

  const setPartner = async (tpl: CouponTemplate, enabled: boolean) => {
    try {
      await request('PUT', `/v1/membership/coupon-templates/${tpl.id}/partner-issuing`, { enabled });
      message.success(enabled ? t('coupons.partnerOn') : t('coupons.partnerOff'));
      await loadExtras();
    } catch (e) {
      message.error(problemText(e));
    }
  };

  const archive = async (tpl: CouponTemplate) => {
    try {
      const next = await api.patch<CouponTemplate>(`/v1/membership/coupon-templates/${tpl.id}`, { status: tpl.status === 'active' ? 'archived' : 'active' });
      list.replace((x) => x.id === tpl.id, next);
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('coupons.title')}
        testId="page-title"
        extra={
          <>
            <Radio.Group value={status ?? 'all'} onChange={(e) => setStatus(e.target.value === 'all' ? undefined : (e.target.value as string))} optionType="button">
              <Radio value="active">{t('status.active')}</Radio>
              <Radio value="archived">{t('status.archived')}</Radio>
              <Radio value="all">{t('common.all')}</Radio>
            </Radio.Group>
            <Button icon={<ReloadOutlined />} onClick={reload}>
              {t('common.refresh')}
            </Button>
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="coupon-create">
                {t('coupons.create')}
              </Button>
            )}
          </>
        }
      />
      <LoadError error={list.error} />
      <Table<CouponTemplate>
        data-testid="coupon-templates-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 1200 }}
        onRow={(tpl) => rowTestId(`template-row-${tpl.id}`) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (v: string, tpl) => <Space direction="vertical" size={0}><Typography.Text strong>{v}</Typography.Text>{tpl.stackable && <Tag color="purple">{t('coupons.stackable')}</Tag>}</Space> },
          { title: t('coupons.kind'), dataIndex: 'kind', render: (v: string) => <CouponKindTag kind={v} /> },
          { title: t('coupons.terms'), key: 'terms', render: (_: unknown, tpl) => couponTermsText(t, tpl) },
          {
            title: t('coupons.validity'),
            key: 'validity',
            render: (_: unknown, tpl) => (tpl.validity.kind === 'fixed' ? `${formatTime(tpl.validity.from)} – ${formatTime(tpl.validity.until)}` : t('coupons.daysFromIssue', { days: tpl.validity.days ?? 0 })),
          },
          { title: t('coupons.stock'), key: 'stock', render: (_: unknown, tpl) => <span data-testid={`template-stock-${tpl.id}`}>{`${tpl.issued_count} / ${tpl.stock ?? '∞'}`}</span> },
          { title: t('coupons.perMember'), dataIndex: 'per_member_limit', render: (v: number | null) => v ?? '∞' },
          {
            title: t('coupons.redeemedOfIssued'),
            key: 'stats',
            render: (_: unknown, tpl) => {
              const c = counts.get(tpl.id);
              return (
                <span data-testid={`template-stats-${tpl.id}`} data-issued={c?.issued ?? 0} data-redeemed={c?.redeemed ?? 0}>
                  {c ? `${c.redeemed} / ${c.issued} (${bpsPercent(c.redemption_rate_bps)})` : '0 / 0'}
                </span>
              );
            },
          },
          {
            title: t('coupons.partner'),
            key: 'partner',
            render: (_: unknown, tpl) => <Switch size="small" checked={partnerIds.has(tpl.id)} disabled={!canWrite} onChange={(on) => void setPartner(tpl, on)} data-testid={`template-partner-${tpl.id}`} />,
          },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: 'right',
            render: (_: unknown, tpl) => (
              <Space>
                <Button size="small" icon={<BarChartOutlined />} onClick={() => setStatsOf(tpl)} data-testid={`template-open-stats-${tpl.id}`}>
                  {t('coupons.stats')}
                </Button>
                {canIssue && tpl.status === 'active' && (
                  <Button size="small" onClick={() => setIssuing(tpl)} data-testid={`template-issue-${tpl.id}`}>
                    {t('coupons.issue')}
                  </Button>
                )}
                {canWrite && (
                  <Popconfirm title={tpl.status === 'active' ? t('coupons.archiveConfirm') : t('coupons.restoreConfirm')} onConfirm={() => void archive(tpl)} okText={t('common.confirm')} cancelText={t('common.cancel')}>
                    <Button size="small">{tpl.status === 'active' ? t('coupons.archive') : t('coupons.unarchive')}</Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <CouponGiftRules templates={list.items} canWrite={canWrite} />
      <CreateTemplateModal
        open={creating}
        onClose={() => setCreating(false)}
        onDone={() => {
          setCreating(false);
          reload();
        }}
      />
      <IssueModal
        template={issuing}
        onClose={() => setIssuing(null)}
        onDone={() => {
          setIssuing(null);
          reload();
        }}
      />
      <StatsDrawer template={statsOf} canVoid={canIssue} onClose={() => setStatsOf(null)} onChanged={reload} />
    </>
  );
}

interface TemplateForm {
  name: string;
  description?: string;
  kind: CouponKind;
  value?: string;
  percent?: number;
  cap?: string;
  min_spend?: string;
  product_sku?: string;
  exchange_price?: string;
  validity_kind: 'relative' | 'fixed';
  days?: number;
  range?: [Dayjs, Dayjs];
  stock?: number | null;
  per_member_limit?: number | null;
  store_ids?: string[];
  product_skus?: string[];
  stackable: boolean;
}

const fenOrNull = (text: string | undefined) => (text?.trim() ? parseYuan(text) : null);

function CreateTemplateModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<TemplateForm>();
  const kind = Form.useWatch('kind', form);
  const validityKind = Form.useWatch('validity_kind', form);
  const { stores } = useStores(open);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue({ kind: 'cash_off', validity_kind: 'relative', days: 30, stackable: false });
      setProblem(null);
    }
  }, [open, form]);

  const yuanRule = (required: boolean) => [
    ...(required ? [{ required: true, message: t('common.required') }] : []),
    { validator: async (_r: unknown, v: string | undefined) => (v?.trim() && parseYuan(v) === null ? Promise.reject(new Error(t('payments.amountInvalid'))) : undefined) },
  ];

  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.post('/v1/membership/coupon-templates', {
        name: v.name.trim(),
        ...(v.description?.trim() ? { description: v.description.trim() } : {}),
        kind: v.kind,
        value_fen: ['cash_off', 'threshold'].includes(v.kind) ? fenOrNull(v.value) : null,
        percent_bps: v.kind === 'percent_off' && v.percent ? Math.round(v.percent * 100) : null,
        cap_fen: v.kind === 'percent_off' ? fenOrNull(v.cap) : null,
        min_spend_fen: fenOrNull(v.min_spend),
        product_sku: ['free_item', 'exchange'].includes(v.kind) ? v.product_sku?.trim() || null : null,
        exchange_price_fen: v.kind === 'exchange' ? fenOrNull(v.exchange_price) : null,
        store_ids: v.store_ids?.length ? v.store_ids : null,
        product_skus: v.product_skus?.length ? v.product_skus : null,
        stackable: v.stackable,
        validity: v.validity_kind === 'fixed' && v.range ? { kind: 'fixed', from: v.range[0].startOf('day').toISOString(), until: v.range[1].endOf('day').toISOString() } : { kind: 'relative', days: v.days ?? 30 },
        stock: v.stock ?? null,
        per_member_limit: v.per_member_limit ?? null,
      });
      message.success(t('coupons.created'));
      onDone();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} width={640} title={t('coupons.create')} okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => void submit()} onCancel={onClose} confirmLoading={busy} okButtonProps={buttonTestId('template-save')} forceRender>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="template-error" />}
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 100 }]}>
          <Input data-testid="template-name" />
        </Form.Item>
        <Form.Item name="kind" label={t('coupons.kind')} rules={[{ required: true }]}>
          <Select data-testid="template-kind" options={couponKinds.map((k) => ({ value: k, label: <span data-testid={`kind-option-${k}`}>{codeText(t, 'couponKind', k)}</span> }))} />
        </Form.Item>
        <Row gutter={12}>
          {(kind === 'cash_off' || kind === 'threshold') && (
            <Col span={12}>
              <Form.Item name="value" label={t('coupons.value')} rules={yuanRule(true)}>
                <Input prefix="¥" data-testid="template-value" />
              </Form.Item>
            </Col>
          )}
          {kind === 'percent_off' && (
            <>
              <Col span={12}>
                <Form.Item name="percent" label={t('coupons.percent')} rules={[{ required: true, message: t('common.required') }]}>
                  <InputNumber min={0.01} max={100} step={1} suffix="%" style={{ width: '100%' }} data-testid="template-percent" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="cap" label={t('coupons.cap')} rules={yuanRule(false)}>
                  <Input prefix="¥" data-testid="template-cap" />
                </Form.Item>
              </Col>
            </>
          )}
          {(kind === 'free_item' || kind === 'exchange') && (
            <Col span={12}>
              <Form.Item name="product_sku" label={t('coupons.productSku')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 64 }]}>
                <Input data-testid="template-product" />
              </Form.Item>
            </Col>
          )}
          {kind === 'exchange' && (
            <Col span={12}>
              <Form.Item name="exchange_price" label={t('coupons.exchangePrice')} rules={yuanRule(true)}>
                <Input prefix="¥" data-testid="template-exchange-price" />
              </Form.Item>
            </Col>
          )}
          <Col span={12}>
            <Form.Item name="min_spend" label={t('coupons.minSpend')} rules={yuanRule(kind === 'threshold')}>
              <Input prefix="¥" data-testid="template-min-spend" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="validity_kind" label={t('coupons.validity')}>
          <Radio.Group>
            <Radio value="relative" data-testid="validity-relative">{t('coupons.relative')}</Radio>
            <Radio value="fixed" data-testid="validity-fixed">{t('coupons.fixed')}</Radio>
          </Radio.Group>
        </Form.Item>
        {validityKind === 'fixed' ? (
          <Form.Item name="range" rules={[{ required: true, message: t('common.required') }]}>
            <DatePicker.RangePicker data-testid="template-range" />
          </Form.Item>
        ) : (
          <Form.Item name="days" rules={[{ required: true, message: t('common.required') }]}>
            <InputNumber min={1} max={3650} precision={0} suffix={t('coupons.days')} data-testid="template-days" />
          </Form.Item>
        )}
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="stock" label={t('coupons.stock')} extra={t('coupons.emptyUnlimited')}>
              <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid="template-stock" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="per_member_limit" label={t('coupons.perMember')} extra={t('coupons.emptyUnlimited')}>
              <InputNumber min={1} precision={0} style={{ width: '100%' }} data-testid="template-limit" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="store_ids" label={t('coupons.stores')} extra={t('coupons.emptyAll')}>
          <Select mode="multiple" allowClear options={stores.map((s) => ({ value: s.id, label: s.name }))} data-testid="template-stores" />
        </Form.Item>
        <Form.Item name="product_skus" label={t('coupons.products')} extra={t('coupons.emptyAll')}>
          <Select mode="tags" allowClear tokenSeparators={[',', ' ']} data-testid="template-products" />
        </Form.Item>
        <Form.Item name="stackable" label={t('coupons.stackable')} valuePropName="checked" extra={t('coupons.stackableHint')}>
          <Switch data-testid="template-stackable" />
        </Form.Item>
        <Form.Item name="description" label={t('coupons.description')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Issue to a member found by any identifier (card number, phone, name…). */
function IssueModal({ template, onClose, onDone }: { template: CouponTemplate | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Member[]>([]);
  const [memberId, setMemberId] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [reference, setReference] = useState(() => newReference('iss'));

  useEffect(() => {
    if (template) {
      setQ('');
      setFound([]);
      setMemberId(undefined);
      setProblem(null);
      setReference(newReference('iss'));
    }
  }, [template]);

  const search = async () => {
    if (!q.trim()) return;
    try {
      const page = await api.get<Page<Member>>('/v1/membership/member-search', { q: q.trim(), limit: 20 });
      setFound(page.items);
      setMemberId(page.items.length === 1 ? page.items[0]!.id : undefined);
      setProblem(page.items.length ? null : t('counter.noMember'));
    } catch (e) {
      setProblem(problemText(e));
    }
  };

  const submit = async () => {
    if (!template || !memberId) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.post(`/v1/membership/coupon-templates/${template.id}/issues`, { member_id: memberId, source: 'manual', reference });
      message.success(t('mem.coupons.issued'));
      onDone();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={template !== null}
      title={`${t('coupons.issue')} · ${template?.name ?? ''}`}
      okText={t('mem.coupons.issueSubmit')}
      cancelText={t('common.cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={busy}
      okButtonProps={{ ...buttonTestId('template-issue-submit'), disabled: !memberId }}
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="template-issue-error" />}
      <Space.Compact style={{ width: '100%' }}>
        <Input placeholder={t('mem.members.searchHint')} value={q} onChange={(e) => setQ(e.target.value)} onPressEnter={() => void search()} data-testid="template-issue-q" />
        <Button onClick={() => void search()} data-testid="template-issue-search">
          {t('common.search')}
        </Button>
      </Space.Compact>
      {found.length > 0 && (
        <Radio.Group value={memberId} onChange={(e) => setMemberId(e.target.value as string)} style={{ display: 'flex', flexDirection: 'column', marginTop: 12, gap: 6 }}>
          {found.map((m) => (
            <Radio key={m.id} value={m.id} data-testid={`template-issue-member-${m.id}`}>
              <code>{m.card_number}</code> {m.display_name ?? ''} {m.phone ?? ''}
            </Radio>
          ))}
        </Radio.Group>
      )}
    </Modal>
  );
}

function StatsDrawer({ template, canVoid, onClose, onChanged }: { template: CouponTemplate | null; canVoid: boolean; onClose(): void; onChanged(): void }) {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const [days, setDays] = useState(30);
  const [stats, setStats] = useState<TemplateStats | null>(null);
  const [coupons, setCoupons] = useState<Coupon[]>([]);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async (id: string, d: number) => {
    try {
      const [s, c] = await Promise.all([api.get<TemplateStats>(`/v1/membership/coupon-templates/${id}/stats`, { days: d }), api.get<Page<Coupon>>('/v1/membership/coupons', { template_id: id, limit: 100 })]);
      setStats(s);
      setCoupons(c.items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    setStats(null);
    setCoupons([]);
    if (template) void load(template.id, days);
  }, [template, days, load]);

  const option = useMemo(
    () =>
      stats
        ? {
            tooltip: { trigger: 'axis' },
            legend: { data: [t('coupons.issuedCount'), t('coupons.redeemedCount')] },
            grid: { left: 40, right: 16, top: 36, bottom: 28 },
            xAxis: { type: 'category', data: stats.series.map((p) => p.date.slice(5)) },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              { name: t('coupons.issuedCount'), type: 'bar', data: stats.series.map((p) => p.issued), itemStyle: { color: '#1f8bff' } },
              { name: t('coupons.redeemedCount'), type: 'line', data: stats.series.map((p) => p.redeemed), itemStyle: { color: '#f5222d' } },
            ],
          }
        : {},
    [stats, t],
  );

  const voidCoupon = async (c: Coupon) => {
    try {
      await api.post(`/v1/membership/coupons/${c.id}/void`, { reason: t('coupons.voidReason') });
      message.success(t('mem.coupons.voided'));
      if (template) await load(template.id, days);
      onChanged();
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <Drawer open={template !== null} onClose={onClose} size={820} title={`${t('coupons.stats')} · ${template?.name ?? ''}`} data-testid="coupon-stats-drawer">
      <LoadError error={error} />
      <Space style={{ marginBottom: 12 }}>
        <Radio.Group value={days} onChange={(e) => setDays(e.target.value as number)} optionType="button">
          <Radio value={7}>{t('coupons.lastDays', { days: 7 })}</Radio>
          <Radio value={30}>{t('coupons.lastDays', { days: 30 })}</Radio>
          <Radio value={90}>{t('coupons.lastDays', { days: 90 })}</Radio>
        </Radio.Group>
      </Space>
      {stats && (
        <>
          <Row gutter={12} data-testid="coupon-stats" data-issued={stats.issued} data-redeemed={stats.redeemed} data-voided={stats.voided}>
            <Col span={4}>
              <Statistic title={t('coupons.issuedCount')} value={stats.issued} />
            </Col>
            <Col span={4}>
              <Statistic title={t('coupons.redeemedCount')} value={stats.redeemed} />
            </Col>
            <Col span={4}>
              <Statistic title={t('coupons.voidedCount')} value={stats.voided} />
            </Col>
            <Col span={4}>
              <Statistic title={t('coupons.expiredCount')} value={stats.expired} />
            </Col>
            <Col span={4}>
              <Statistic title={t('coupons.openCount')} value={stats.open} />
            </Col>
            <Col span={4}>
              <Statistic title={t('coupons.rate')} value={bpsPercent(stats.redemption_rate_bps)} />
            </Col>
          </Row>
          <EChart option={option} height={260} testId="coupon-stats-chart" />
        </>
      )}
      <Typography.Title level={5}>{t('coupons.issuedCoupons')}</Typography.Title>
      <Table<Coupon>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={coupons}
        data-testid="template-coupons"
        onRow={(c) => ({ ...rowTestId(`template-coupon-${c.id}`), 'data-status': c.status }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('mem.coupons.code'), dataIndex: 'code', render: (v: string) => <code>{v}</code> },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <Tag>{codeText(t, 'couponStatus', v)}</Tag> },
          { title: t('mem.coupons.source'), dataIndex: 'issue_source', render: (v: string) => codeText(t, 'issueSource', v) },
          { title: t('coupons.issuedAt'), dataIndex: 'issued_at', render: (v: string) => formatTime(v) },
          { title: t('coupons.redeemedAt'), dataIndex: 'redeemed_at', render: (v: string | null) => formatTime(v) },
          { title: t('coupons.discount'), dataIndex: 'discount_fen', align: 'right', render: (v: number | null) => (v !== null ? yuan(v) : '—') },
          ...(canVoid
            ? [
                {
                  title: t('common.actions'),
                  key: 'void',
                  render: (_: unknown, c: Coupon) =>
                    c.status === 'issued' ? (
                      <Popconfirm title={t('mem.coupons.voidConfirm')} onConfirm={() => void voidCoupon(c)} okText={t('mem.coupons.void')} cancelText={t('common.cancel')} okButtonProps={buttonTestId('template-coupon-void-confirm')}>
                        <Button size="small" danger data-testid={`template-coupon-void-${c.id}`}>
                          {t('mem.coupons.void')}
                        </Button>
                      </Popconfirm>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
    </Drawer>
  );
}
