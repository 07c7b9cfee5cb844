import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Radio, Select, Switch, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { parseYuan, yuan } from './money.js';
import { useStores } from './payments.js';
import { problemText } from './problems.js';
import { buttonTestId } from './testid.js';
import type { CouponTemplate } from './membership.js';

// 自动发券: coupons given on joining (入会礼), on a member's payment of at least an amount (消费返券)
// and on birthdays (生日礼, optionally for some tiers). A rule's template is fixed; a new template
// means a new rule.

type Trigger = 'join' | 'payment' | 'birthday';
const triggerColours: Record<Trigger, string> = { join: 'green', payment: 'blue', birthday: 'magenta' };
const triggerLabels = { join: 'gifts.onJoin', payment: 'gifts.onPayment', birthday: 'gifts.onBirthday' } as const;

interface GiftRule {
  id: string;
  trigger: Trigger;
  template_id: string;
  min_amount_fen: number | null;
  store_ids: string[] | null;
  tier_codes: string[] | null;
  enabled: boolean;
}

export function CouponGiftRules({ templates, canWrite }: { templates: readonly CouponTemplate[]; canWrite: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { stores, storeName } = useStores();
  const [rules, setRules] = useState<GiftRule[]>([]);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [tiers, setTiers] = useState<{ code: string; name: string }[]>([]);
  const [form] = Form.useForm<{ trigger: Trigger; template_id: string; min_amount: string; store_ids: string[]; tier_codes: string[] }>();
  const trigger = Form.useWatch('trigger', form);

  const load = useCallback(async () => {
    setRules((await api.get<{ items: GiftRule[] }>('/v1/membership/coupon-gift-rules')).items);
    setTiers((await api.get<{ items: { code: string; name: string }[] }>('/v1/membership/tiers')).items);
  }, []);
  useEffect(() => {
    void load().catch(() => undefined);
  }, [load]);

  const templateName = (id: string) => templates.find((x) => x.id === id)?.name ?? id;

  const toggle = async (rule: GiftRule, enabled: boolean) => {
    try {
      const next = await api.patch<GiftRule>(`/v1/membership/coupon-gift-rules/${rule.id}`, { enabled });
      setRules((list) => list.map((r) => (r.id === rule.id ? next : r)));
    } catch (e) {
      message.error(problemText(e));
    }
  };

  const submit = async () => {
    const values = await form.validateFields();
    const minAmountFen = values.trigger === 'payment' && values.min_amount ? parseYuan(values.min_amount) : null;
    if (values.trigger === 'payment' && values.min_amount && minAmountFen === null) {
      form.setFields([{ name: 'min_amount', errors: [t('gifts.amountInvalid')] }]);
      return;
    }
    setBusy(true);
    try {
      await api.post('/v1/membership/coupon-gift-rules', {
        trigger: values.trigger,
        template_id: values.template_id,
        ...(values.trigger === 'payment' && { min_amount_fen: minAmountFen }),
        store_ids: values.store_ids?.length ? values.store_ids : null,
        tier_codes: values.tier_codes?.length ? values.tier_codes : null,
      });
      message.success(t('common.saved'));
      setCreating(false);
      form.resetFields();
      await load();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={t('gifts.title')}
      style={{ marginTop: 16 }}
      data-testid="coupon-gift-rules"
      extra={
        canWrite && (
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} {...buttonTestId('gift-rule-create')}>
            {t('gifts.create')}
          </Button>
        )
      }
    >
      <Table<GiftRule>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={rules}
        locale={{ emptyText: t('gifts.empty') }}
        columns={[
          { title: t('gifts.trigger'), dataIndex: 'trigger', render: (v: Trigger) => <Tag color={triggerColours[v]}>{t(triggerLabels[v])}</Tag> },
          { title: t('gifts.template'), dataIndex: 'template_id', render: (id: string) => templateName(id) },
          { title: t('gifts.minAmount'), dataIndex: 'min_amount_fen', render: (v: number | null, r) => (r.trigger === 'payment' ? (v === null ? t('gifts.anyAmount') : yuan(v)) : '—') },
          { title: t('gifts.tiers'), dataIndex: 'tier_codes', render: (codes: string[] | null) => (codes?.length ? codes.map((code) => tiers.find((x) => x.code === code)?.name ?? code).join('、') : t('gifts.allTiers')) },
          { title: t('gifts.stores'), dataIndex: 'store_ids', render: (ids: string[] | null) => (ids?.length ? ids.map(storeName).join('、') : t('gifts.allStores')) },
          {
            title: t('gifts.enabled'),
            dataIndex: 'enabled',
            render: (v: boolean, r) => <Switch checked={v} disabled={!canWrite} onChange={(on) => void toggle(r, on)} data-testid={`gift-rule-enabled-${r.id}`} />,
          },
        ]}
      />
      <Modal open={creating} title={t('gifts.create')} okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => void submit()} onCancel={() => setCreating(false)} confirmLoading={busy} okButtonProps={buttonTestId('gift-rule-save')} forceRender>
        <Form form={form} layout="vertical" initialValues={{ trigger: 'join', store_ids: [], tier_codes: [] }}>
          <Form.Item name="trigger" label={t('gifts.trigger')}>
            <Radio.Group>
              <Radio value="join" data-testid="gift-trigger-join">{t('gifts.onJoin')}</Radio>
              <Radio value="payment" data-testid="gift-trigger-payment">{t('gifts.onPayment')}</Radio>
              <Radio value="birthday" data-testid="gift-trigger-birthday">{t('gifts.onBirthday')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="template_id" label={t('gifts.template')} rules={[{ required: true, message: t('gifts.templateRequired') }]}>
            <Select data-testid="gift-template" options={templates.filter((x) => x.status === 'active').map((x) => ({ value: x.id, label: <span data-testid={`gift-template-option-${x.id}`}>{x.name}</span> }))} />
          </Form.Item>
          {trigger === 'payment' && (
            <Form.Item name="min_amount" label={t('gifts.minAmountYuan')} extra={t('gifts.minAmountHint')}>
              <Input prefix="¥" inputMode="decimal" data-testid="gift-min-amount" />
            </Form.Item>
          )}
          <Form.Item name="tier_codes" label={t('gifts.tiers')} extra={t('gifts.tiersHint')}>
            <Select mode="multiple" allowClear options={tiers.map((x) => ({ value: x.code, label: x.name }))} />
          </Form.Item>
          <Form.Item name="store_ids" label={t('gifts.stores')} extra={t('gifts.storesHint')}>
            <Select mode="multiple" allowClear options={stores.map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
