import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, ColorPicker, DatePicker, Form, Input, InputNumber, Row, Select, Space, Switch, Table, Tabs, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { api, request } from '../api.js';
import { useI18n } from '../i18n.js';
import { LoadError, PageHeader } from '../components/PageHeader.js';
import { problemText } from '../components/problems.js';
import { useStores } from '../components/payments.js';
import { useProgram, useTiers, type Program, type Tier } from '../components/membership.js';
import { MemberCard } from '../components/membership-ui.js';

// 会员方案: the program (name, card design, join rules, consent text version), the tier ladder
// (metric, thresholds, benefits, downgrade), and the earn rules (per yuan, category and product
// multipliers, event points, time-boxed promotions and their stacking, points as payment, pending
// and expiry days). Multipliers and percentages are typed as people say them (×1.5, 5 %) and sent
// as basis points.

const colour = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'toHexString' in value) return (value as { toHexString(): string }).toHexString();
  return undefined;
};

export default function ProgramSettingsPage() {
  const { t } = useI18n();
  const { program, error, setProgram } = useProgram();
  return (
    <>
      <PageHeader title={t('program.title')} testId="page-title" />
      <LoadError error={error} />
      {program && (
        <Tabs
          items={[
            { key: 'basics', label: <span data-testid="program-tab-basics">{t('program.basics')}</span>, children: <BasicsForm program={program} onSaved={setProgram} /> },
            { key: 'tiers', label: <span data-testid="program-tab-tiers">{t('program.tiers')}</span>, children: <TiersEditor program={program} onSaved={setProgram} /> },
            { key: 'earn', label: <span data-testid="program-tab-earn">{t('program.earn')}</span>, children: <EarnRulesForm program={program} onSaved={setProgram} /> },
          ]}
        />
      )}
    </>
  );
}

async function patchProgram(body: Record<string, unknown>): Promise<Program> {
  return api.patch<Program>('/v1/membership/program', body);
}

interface BasicsValues {
  name: string;
  title?: string;
  background_color: unknown;
  text_color: unknown;
  logo_url?: string;
  at_payment: boolean;
  h5: boolean;
  counter: boolean;
  require_phone: boolean;
  consent_version: string;
}

function BasicsForm({ program, onSaved }: { program: Program; onSaved(p: Program): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<BasicsValues>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const watched = Form.useWatch([], form) as Partial<BasicsValues> | undefined;

  useEffect(() => {
    form.setFieldsValue({
      name: program.name,
      title: program.card_design.title,
      background_color: program.card_design.background_color ?? '#1f2a44',
      text_color: program.card_design.text_color ?? '#f5d38a',
      logo_url: program.card_design.logo_url,
      ...program.join_rules,
      consent_version: program.consent_version,
    });
  }, [program, form]);

  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const saved = await patchProgram({
        name: v.name.trim(),
        card_design: {
          ...(v.title?.trim() ? { title: v.title.trim() } : {}),
          background_color: colour(v.background_color),
          text_color: colour(v.text_color),
          ...(v.logo_url?.trim() ? { logo_url: v.logo_url.trim() } : {}),
        },
        join_rules: { at_payment: v.at_payment, h5: v.h5, counter: v.counter, require_phone: v.require_phone },
        consent_version: v.consent_version.trim(),
      });
      onSaved(saved);
      message.success(t('common.saved'));
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const preview: Program = {
    ...program,
    name: watched?.name ?? program.name,
    card_design: { title: watched?.title, background_color: colour(watched?.background_color), text_color: colour(watched?.text_color) },
  };

  return (
    <Row gutter={24}>
      <Col xs={24} lg={14}>
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="program-error" />}
        <Form form={form} layout="vertical" data-testid="program-basics">
          <Form.Item name="name" label={t('program.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 100 }]}>
            <Input data-testid="program-name" />
          </Form.Item>
          <Form.Item name="title" label={t('program.cardTitle')} rules={[{ max: 60 }]}>
            <Input data-testid="program-card-title" />
          </Form.Item>
          <Space size="large">
            <Form.Item name="background_color" label={t('program.cardBackground')}>
              <ColorPicker disabledAlpha format="hex" showText data-testid="program-card-bg" />
            </Form.Item>
            <Form.Item name="text_color" label={t('program.cardText')}>
              <ColorPicker disabledAlpha format="hex" showText data-testid="program-card-text" />
            </Form.Item>
          </Space>
          <Form.Item name="logo_url" label={t('program.logoUrl')} rules={[{ type: 'url' }, { max: 500 }]}>
            <Input />
          </Form.Item>
          <Typography.Title level={5}>{t('program.joinRules')}</Typography.Title>
          <Space size="large" wrap>
            <Form.Item name="at_payment" label={t('program.joinAtPayment')} valuePropName="checked">
              <Switch data-testid="program-join-payment" />
            </Form.Item>
            <Form.Item name="h5" label={t('program.joinH5')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="counter" label={t('program.joinCounter')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="require_phone" label={t('program.requirePhone')} valuePropName="checked">
              <Switch data-testid="program-require-phone" />
            </Form.Item>
          </Space>
          <Form.Item name="consent_version" label={t('program.consentVersion')} extra={t('program.consentHint')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 40 }]}>
            <Input style={{ width: 200 }} data-testid="program-consent" />
          </Form.Item>
          <Button type="primary" onClick={() => void save()} loading={busy} data-testid="program-save">
            {t('common.save')}
          </Button>
        </Form>
      </Col>
      <Col xs={24} lg={10}>
        <Typography.Title level={5}>{t('program.preview')}</Typography.Title>
        <MemberCard program={preview} cardNumber="8800000012345678" name="林小姐" tierName={t('program.previewTier')} testId="program-card-preview" />
      </Col>
    </Row>
  );
}

interface TierRowForm {
  code: string;
  name: string;
  threshold: number;
  multiplier: number;
  discount: number;
  birthday_gift?: string | null;
}

interface TiersValues {
  tier_basis: string;
  tier_window_days: number;
  tier_downgrade_mode: string;
  tier_downgrade_after_days: number;
  tiers: TierRowForm[];
}

/** Spend thresholds are typed in whole yuan and kept in fen; points thresholds are points. */
const thresholdUnit = (basis: string) => (basis === 'spend' ? 100 : 1);

const toTierRow = (tier: Tier, basis: string): TierRowForm => ({
  code: tier.code,
  name: tier.name,
  threshold: tier.threshold / thresholdUnit(basis),
  multiplier: tier.points_multiplier_bps / 10_000,
  discount: tier.discount_bps / 100,
  birthday_gift: tier.birthday_gift,
});

function TiersEditor({ program, onSaved }: { program: Program; onSaved(p: Program): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { tiers, reload } = useTiers();
  const [form] = Form.useForm<TiersValues>();
  const mode = Form.useWatch('tier_downgrade_mode', form);
  const basis = Form.useWatch('tier_basis', form);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    form.setFieldsValue({
      tier_basis: program.tier_basis,
      tier_window_days: program.tier_window_days,
      tier_downgrade_mode: program.tier_downgrade_mode,
      tier_downgrade_after_days: program.tier_downgrade_after_days,
      tiers: [...tiers].sort((a, b) => a.rank - b.rank).map((tier) => toTierRow(tier, program.tier_basis)),
    });
  }, [program, tiers, form]);

  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const saved = await patchProgram({ tier_basis: v.tier_basis, tier_window_days: v.tier_window_days, tier_downgrade_mode: v.tier_downgrade_mode, tier_downgrade_after_days: v.tier_downgrade_after_days ?? 0 });
      onSaved(saved);
      await request('PUT', '/v1/membership/tiers', {
        tiers: (v.tiers ?? []).map((row, i) => ({
          code: row.code.trim(),
          name: row.name.trim(),
          rank: i + 1,
          threshold: Math.round(row.threshold * thresholdUnit(v.tier_basis)),
          points_multiplier_bps: Math.round((row.multiplier ?? 1) * 10_000),
          discount_bps: Math.round((row.discount ?? 0) * 100),
          birthday_gift: row.birthday_gift?.trim() || null,
        })),
      });
      reload();
      message.success(t('common.saved'));
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="tiers-error" />}
      <Form form={form} layout="vertical" data-testid="tiers-form">
        <Space size="large" wrap>
          <Form.Item name="tier_basis" label={t('program.tierBasis')}>
            <Select
              style={{ width: 200 }}
              data-testid="tier-basis"
              options={[
                { value: 'points_earned', label: t('program.basis.points_earned') },
                { value: 'spend', label: t('program.basis.spend') },
              ]}
            />
          </Form.Item>
          <Form.Item name="tier_window_days" label={t('program.tierWindow')}>
            <InputNumber min={1} max={3650} precision={0} suffix={t('coupons.days')} />
          </Form.Item>
          <Form.Item name="tier_downgrade_mode" label={t('program.downgrade')}>
            <Select
              style={{ width: 180 }}
              data-testid="tier-downgrade"
              options={['none', 'automatic', 'after_days'].map((m) => ({ value: m, label: <span data-testid={`downgrade-option-${m}`}>{t(`program.downgrade.${m as 'none' | 'automatic' | 'after_days'}`)}</span> }))}
            />
          </Form.Item>
          {mode === 'after_days' && (
            <Form.Item name="tier_downgrade_after_days" label={t('program.downgradeAfter')}>
              <InputNumber min={0} max={3650} precision={0} suffix={t('coupons.days')} />
            </Form.Item>
          )}
        </Space>
        <Typography.Paragraph type="secondary">{basis === 'spend' ? t('program.thresholdSpendHint') : t('program.thresholdPointsHint')}</Typography.Paragraph>
        <Form.List name="tiers">
          {(fields, { add, remove }) => (
            <>
              <Table
                size="small"
                pagination={false}
                rowKey="key"
                dataSource={fields}
                data-testid="tiers-table"
                columns={[
                  { title: t('program.tierCode'), key: 'code', render: (_: unknown, f) => <Form.Item name={[f.name, 'code']} noStyle rules={[{ required: true, pattern: /^[a-z0-9_-]+$/, message: t('program.codeRule') }]}><Input style={{ width: 100 }} data-testid={`tier-code-${f.name}`} /></Form.Item> },
                  { title: t('common.name'), key: 'name', render: (_: unknown, f) => <Form.Item name={[f.name, 'name']} noStyle rules={[{ required: true }]}><Input style={{ width: 110 }} data-testid={`tier-name-${f.name}`} /></Form.Item> },
                  { title: t('program.threshold'), key: 'threshold', render: (_: unknown, f) => <Form.Item name={[f.name, 'threshold']} noStyle rules={[{ required: true }]}><InputNumber min={0} precision={0} style={{ width: 120 }} data-testid={`tier-threshold-${f.name}`} /></Form.Item> },
                  { title: t('program.multiplier'), key: 'multiplier', render: (_: unknown, f) => <Form.Item name={[f.name, 'multiplier']} noStyle><InputNumber min={0} max={100} step={0.1} prefix="×" style={{ width: 100 }} data-testid={`tier-multiplier-${f.name}`} /></Form.Item> },
                  { title: t('program.discount'), key: 'discount', render: (_: unknown, f) => <Form.Item name={[f.name, 'discount']} noStyle><InputNumber min={0} max={100} step={0.5} suffix="%" style={{ width: 100 }} data-testid={`tier-discount-${f.name}`} /></Form.Item> },
                  { title: t('program.birthdayGift'), key: 'gift', render: (_: unknown, f) => <Form.Item name={[f.name, 'birthday_gift']} noStyle><Input style={{ width: 160 }} data-testid={`tier-gift-${f.name}`} /></Form.Item> },
                  { title: '', key: 'remove', render: (_: unknown, f) => <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} /> },
                ]}
              />
              <Button icon={<PlusOutlined />} style={{ marginTop: 8 }} onClick={() => add({ code: '', name: '', threshold: 0, multiplier: 1, discount: 0 })} data-testid="tier-add">
                {t('program.addTier')}
              </Button>
            </>
          )}
        </Form.List>
        <div style={{ marginTop: 16 }}>
          <Button type="primary" onClick={() => void save()} loading={busy} data-testid="tiers-save">
            {t('common.save')}
          </Button>
        </div>
      </Form>
    </>
  );
}

interface EarnValues {
  points_per_yuan: number;
  points_pending_days: number;
  never_expire: boolean;
  points_expiry_days?: number | null;
  allow_negative_points: boolean;
  redeem_points_per_yuan: number;
  top_up_earns_points: boolean;
  retro_earn_hours: number;
  stack_promotions: boolean;
  category_multipliers: { id: string; multiplier: number }[];
  product_multipliers: { id: string; multiplier: number }[];
  event_points: { event: string; points: number }[];
  promotions: { id: string; multiplier: number; range: [Dayjs, Dayjs]; store_ids?: string[] }[];
}

function EarnRulesForm({ program, onSaved }: { program: Program; onSaved(p: Program): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { stores } = useStores();
  const [form] = Form.useForm<EarnValues>();
  const neverExpire = Form.useWatch('never_expire', form);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const e = program.earn_config;
    form.setFieldsValue({
      points_per_yuan: program.points_per_yuan,
      points_pending_days: program.points_pending_days,
      never_expire: program.points_expiry_days === null,
      points_expiry_days: program.points_expiry_days ?? 365,
      allow_negative_points: program.allow_negative_points,
      redeem_points_per_yuan: program.redeem_points_per_yuan,
      top_up_earns_points: program.top_up_earns_points,
      retro_earn_hours: program.retro_earn_hours,
      stack_promotions: e.stack_promotions,
      category_multipliers: e.category_multipliers.map((m) => ({ id: m.id, multiplier: m.multiplier_bps / 10_000 })),
      product_multipliers: e.product_multipliers.map((m) => ({ id: m.id, multiplier: m.multiplier_bps / 10_000 })),
      event_points: Object.entries(e.event_points).map(([event, points]) => ({ event, points })),
      promotions: e.promotions.map((p) => ({ id: p.id, multiplier: p.multiplier_bps / 10_000, range: [dayjs(p.starts_at), dayjs(p.ends_at)], store_ids: p.store_ids ?? [] })),
    });
  }, [program, form]);

  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const bps = (x: number) => Math.round(x * 10_000);
      const saved = await patchProgram({
        points_per_yuan: v.points_per_yuan,
        points_pending_days: v.points_pending_days,
        points_expiry_days: v.never_expire ? null : (v.points_expiry_days ?? 365),
        allow_negative_points: v.allow_negative_points,
        redeem_points_per_yuan: v.redeem_points_per_yuan,
        top_up_earns_points: v.top_up_earns_points,
        retro_earn_hours: v.retro_earn_hours ?? 0,
        earn_config: {
          stack_promotions: v.stack_promotions,
          category_multipliers: (v.category_multipliers ?? []).map((m) => ({ id: m.id.trim(), multiplier_bps: bps(m.multiplier) })),
          product_multipliers: (v.product_multipliers ?? []).map((m) => ({ id: m.id.trim(), multiplier_bps: bps(m.multiplier) })),
          event_points: Object.fromEntries((v.event_points ?? []).map((e) => [e.event.trim(), e.points])),
          promotions: (v.promotions ?? []).map((p) => ({
            id: p.id.trim(),
            multiplier_bps: bps(p.multiplier),
            starts_at: p.range[0].startOf('day').toISOString(),
            ends_at: p.range[1].endOf('day').toISOString(),
            store_ids: p.store_ids?.length ? p.store_ids : null,
          })),
        },
      });
      onSaved(saved);
      message.success(t('common.saved'));
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const multiplierList = (name: 'category_multipliers' | 'product_multipliers', idLabel: string, testPrefix: string) => (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <>
          {fields.map((f) => (
            <Space key={f.key} style={{ display: 'flex', marginBottom: 8 }}>
              <Form.Item name={[f.name, 'id']} noStyle rules={[{ required: true, whitespace: true }]}>
                <Input placeholder={idLabel} style={{ width: 160 }} data-testid={`${testPrefix}-id-${f.name}`} />
              </Form.Item>
              <Form.Item name={[f.name, 'multiplier']} noStyle rules={[{ required: true }]}>
                <InputNumber min={0} max={100} step={0.5} prefix="×" style={{ width: 110 }} data-testid={`${testPrefix}-x-${f.name}`} />
              </Form.Item>
              <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
            </Space>
          ))}
          <Button icon={<PlusOutlined />} onClick={() => add({ id: '', multiplier: 2 })} data-testid={`${testPrefix}-add`}>
            {t('program.add')}
          </Button>
        </>
      )}
    </Form.List>
  );

  return (
    <>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="earn-error" />}
      <Form form={form} layout="vertical" data-testid="earn-form">
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('program.earnBasics')}>
              <Form.Item name="points_per_yuan" label={t('program.pointsPerYuan')} rules={[{ required: true }]}>
                <InputNumber min={0} max={10_000} precision={0} data-testid="earn-per-yuan" />
              </Form.Item>
              <Form.Item name="redeem_points_per_yuan" label={t('program.redeemRate')} extra={t('program.redeemRateHint')} rules={[{ required: true }]}>
                <InputNumber min={1} max={1_000_000} precision={0} data-testid="earn-redeem-rate" />
              </Form.Item>
              <Form.Item name="points_pending_days" label={t('program.pendingDays')} extra={t('program.pendingHint')}>
                <InputNumber min={0} max={365} precision={0} suffix={t('coupons.days')} data-testid="earn-pending-days" />
              </Form.Item>
              <Space align="start">
                <Form.Item name="never_expire" label={t('program.neverExpire')} valuePropName="checked">
                  <Switch data-testid="earn-never-expire" />
                </Form.Item>
                {!neverExpire && (
                  <Form.Item name="points_expiry_days" label={t('program.expiryDays')} extra={t('program.expiryHint')}>
                    <InputNumber min={1} max={3650} precision={0} suffix={t('coupons.days')} data-testid="earn-expiry-days" />
                  </Form.Item>
                )}
              </Space>
              <Form.Item name="allow_negative_points" label={t('program.allowNegative')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Card>
            <Card size="small" title={t('mmx.programMoney')} style={{ marginTop: 16 }}>
              <Form.Item name="top_up_earns_points" label={t('mmx.topUpEarnsPoints')} extra={t('mmx.topUpEarnsPointsHint')} valuePropName="checked">
                <Switch data-testid="earn-top-up-earns" />
              </Form.Item>
              <Form.Item name="retro_earn_hours" label={t('mmx.retroEarnHours')} extra={t('mmx.retroEarnHoursHint')}>
                <InputNumber min={0} max={720} precision={0} suffix={t('mmx.hours')} data-testid="earn-retro-hours" />
              </Form.Item>
            </Card>
            <Card size="small" title={t('program.eventPoints')} style={{ marginTop: 16 }}>
              <Form.List name="event_points">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f) => (
                      <Space key={f.key} style={{ display: 'flex', marginBottom: 8 }}>
                        <Form.Item name={[f.name, 'event']} noStyle rules={[{ required: true, whitespace: true, max: 40 }]}>
                          <Input placeholder={t('program.eventName')} style={{ width: 160 }} data-testid={`event-name-${f.name}`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'points']} noStyle rules={[{ required: true }]}>
                          <InputNumber min={0} precision={0} style={{ width: 110 }} data-testid={`event-points-${f.name}`} />
                        </Form.Item>
                        <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                      </Space>
                    ))}
                    <Button icon={<PlusOutlined />} onClick={() => add({ event: '', points: 10 })} data-testid="event-add">
                      {t('program.add')}
                    </Button>
                  </>
                )}
              </Form.List>
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('program.categoryMultipliers')}>
              {multiplierList('category_multipliers', t('counter.category'), 'category')}
            </Card>
            <Card size="small" title={t('program.productMultipliers')} style={{ marginTop: 16 }}>
              {multiplierList('product_multipliers', t('counter.sku'), 'product')}
            </Card>
            <Card size="small" title={t('program.promotions')} style={{ marginTop: 16 }}>
              <Form.Item name="stack_promotions" label={t('program.stackPromotions')} extra={t('program.stackHint')} valuePropName="checked">
                <Switch data-testid="earn-stack" />
              </Form.Item>
              <Form.List name="promotions">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f) => (
                      <Space key={f.key} wrap style={{ display: 'flex', marginBottom: 8 }}>
                        <Form.Item name={[f.name, 'id']} noStyle rules={[{ required: true, whitespace: true }]}>
                          <Input placeholder={t('program.promotionId')} style={{ width: 120 }} data-testid={`promo-id-${f.name}`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'multiplier']} noStyle rules={[{ required: true }]}>
                          <InputNumber min={0} max={100} step={0.5} prefix="×" style={{ width: 90 }} data-testid={`promo-x-${f.name}`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'range']} noStyle rules={[{ required: true }]}>
                          <DatePicker.RangePicker data-testid={`promo-range-${f.name}`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'store_ids']} noStyle>
                          <Select mode="multiple" allowClear placeholder={t('coupons.emptyAll')} style={{ minWidth: 160 }} options={stores.map((s) => ({ value: s.id, label: s.name }))} />
                        </Form.Item>
                        <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                      </Space>
                    ))}
                    <Button icon={<PlusOutlined />} onClick={() => add({ id: '', multiplier: 2, range: [dayjs(), dayjs().add(7, 'day')] })} data-testid="promo-add">
                      {t('program.add')}
                    </Button>
                  </>
                )}
              </Form.List>
            </Card>
          </Col>
        </Row>
        <Button type="primary" style={{ marginTop: 16 }} onClick={() => void save()} loading={busy} data-testid="earn-save">
          {t('common.save')}
        </Button>
      </Form>
    </>
  );
}
