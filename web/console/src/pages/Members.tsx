import { useEffect, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, DatePicker, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import { useStores } from '../components/payments.js';
import { membershipRoles, useProgram, useTiers, type Member } from '../components/membership.js';
import { codeText } from '../components/membership-ui.js';
import { MemberDrawer } from '../components/MemberDrawer.js';

// 会员列表: one search box for any identifier the merchant holds (card number, phone, name, member id,
// or a channel id such as appid:openid resolved through ID+), filters by tier, status, the store
// they joined at and the joining date; a member's drawer with card, tier, ledgers and coupons.

interface Filters {
  q?: string;
  tier_code?: string;
  status?: string;
  store_id?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

type Query = Record<string, string | undefined>;

function toQuery(f: Filters): Query {
  return {
    q: f.q?.trim() || undefined,
    tier_code: f.tier_code,
    status: f.status,
    store_id: f.store_id,
    joined_from: f.range?.[0]?.startOf('day').toDate().toISOString(),
    joined_to: f.range?.[1]?.endOf('day').toDate().toISOString(),
  };
}

export default function MembersPage() {
  const { t, formatTime } = useI18n();
  const me = useMe();
  const [form] = Form.useForm<Filters>();
  const [params, setParams] = useSearchParams();
  const [query, setQuery] = useState<Query>({});
  const list = usePagedList<Member>('/v1/membership/member-search', query);
  const { stores, storeName } = useStores();
  const { tiers, tierName } = useTiers();
  const [enrolling, setEnrolling] = useState(false);
  const open = params.get('member');
  const setOpen = (id: string | null) => setParams(id ? { member: id } : {}, { replace: true });

  return (
    <>
      <PageHeader
        title={t('mem.members.title')}
        testId="page-title"
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.reload()}>
              {t('common.refresh')}
            </Button>
            {hasRole(me, membershipRoles.staff) && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEnrolling(true)} data-testid="member-enrol">
                {t('mem.enrol.title')}
              </Button>
            )}
          </>
        }
      />
      <Form<Filters> form={form} layout="inline" className="filters" onFinish={(values) => setQuery(toQuery(values))} data-testid="members-filters">
        <Form.Item name="q">
          <Input allowClear prefix={<SearchOutlined />} placeholder={t('mem.members.searchHint')} style={{ width: 320 }} data-testid="members-q" />
        </Form.Item>
        <Form.Item name="tier_code" label={t('mem.tier')}>
          <Select
            allowClear
            style={{ width: 140 }}
            data-testid="members-filter-tier"
            options={[{ value: '-', label: <span data-testid="tier-option-none">{t('mem.noTier')}</span> }, ...tiers.map((tier) => ({ value: tier.code, label: <span data-testid={`tier-option-${tier.code}`}>{tier.name}</span> }))]}
          />
        </Form.Item>
        <Form.Item name="status" label={t('common.status')}>
          <Select
            allowClear
            style={{ width: 120 }}
            data-testid="members-filter-status"
            options={['active', 'suspended'].map((s) => ({ value: s, label: <span data-testid={`status-option-${s}`}><StatusTag status={s} /></span> }))}
          />
        </Form.Item>
        <Form.Item name="store_id" label={t('mem.joinStore')}>
          <Select allowClear style={{ width: 180 }} data-testid="members-filter-store" options={stores.map((s) => ({ value: s.id, label: <span data-testid={`store-option-${s.id}`}>{s.name}</span> }))} />
        </Form.Item>
        <Form.Item name="range" label={t('mem.joinedAt')}>
          <DatePicker.RangePicker data-testid="members-filter-range" />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="members-search">
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
      <Table<Member>
        data-testid="members-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={(m) => ({ ...rowTestId(`member-row-${m.id}`), onClick: () => setOpen(m.id), style: { cursor: 'pointer' } }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('mem.cardNumber'), dataIndex: 'card_number', render: (v: string) => <code>{v}</code> },
          { title: t('mem.name'), dataIndex: 'display_name', render: (v: string | null) => v ?? '—' },
          { title: t('common.phone'), dataIndex: 'phone', render: (v: string | null) => v ?? '—' },
          { title: t('mem.tier'), key: 'tier', render: (_: unknown, m) => (m.tier.code ? <Tag color="gold">{tierName(m.tier.code)}</Tag> : '—') },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          { title: t('mem.joinChannel'), dataIndex: 'join_channel', render: (v: string) => codeText(t, 'joinChannel', v) },
          { title: t('mem.joinStore'), dataIndex: 'store_id', render: (v: string | null) => (v ? storeName(v) : '—') },
          { title: t('mem.joinedAt'), dataIndex: 'joined_at', render: (v: string) => formatTime(v) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <MemberDrawer memberId={open} onClose={() => setOpen(null)} onChanged={(m) => list.replace((x) => x.id === m.id, m)} />
      <EnrolModal
        open={enrolling}
        onClose={() => setEnrolling(false)}
        onDone={(m) => {
          setEnrolling(false);
          void list.reload();
          setOpen(m.id);
        }}
      />
    </>
  );
}

interface EnrolForm {
  phone?: string;
  display_name?: string;
  birthday?: Dayjs | null;
  store_id?: string;
  marketing_opt_in: boolean;
  consent: boolean;
}

/** 到店入会: staff enrol a member at the counter, with the buyer's consent to the current text. */
function EnrolModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(m: Member): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const [form] = Form.useForm<EnrolForm>();
  const { program } = useProgram();
  const { stores } = useStores(open);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue({ marketing_opt_in: false, consent: false, store_id: me.store_ids?.[0] });
      setProblem(null);
    }
  }, [open, form, me.store_ids]);

  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !program) return;
    setBusy(true);
    setProblem(null);
    try {
      const member = await api.post<Member>('/v1/members', {
        ...(v.phone ? { phone: v.phone.trim() } : {}),
        ...(v.display_name ? { display_name: v.display_name.trim() } : {}),
        ...(v.birthday ? { birthday: v.birthday.format('YYYY-MM-DD') } : {}),
        ...(v.store_id ? { store_id: v.store_id } : {}),
        join_channel: 'counter',
        consent_version: program.consent_version,
        consent_purposes: v.marketing_opt_in ? ['membership', 'marketing'] : ['membership'],
        marketing_opt_in: v.marketing_opt_in,
      });
      message.success(t('mem.enrol.done', { card: member.card_number }));
      onDone(member);
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={t('mem.enrol.title')} okText={t('mem.enrol.submit')} cancelText={t('common.cancel')} onOk={() => void submit()} onCancel={onClose} confirmLoading={busy} okButtonProps={buttonTestId('enrol-submit')} forceRender>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="enrol-error" />}
      <Form form={form} layout="vertical">
        <Form.Item name="phone" label={t('common.phone')} rules={[{ required: program?.join_rules.require_phone ?? false, message: t('common.required') }, { pattern: /^[0-9+ -]{5,20}$/, message: t('mem.phoneInvalid') }]}>
          <Input data-testid="enrol-phone" inputMode="tel" />
        </Form.Item>
        <Form.Item name="display_name" label={t('mem.name')} rules={[{ max: 100 }]}>
          <Input data-testid="enrol-name" />
        </Form.Item>
        <Form.Item name="birthday" label={t('mem.birthday')}>
          <DatePicker data-testid="enrol-birthday" />
        </Form.Item>
        <Form.Item name="store_id" label={t('mem.joinStore')}>
          <Select allowClear options={stores.map((s) => ({ value: s.id, label: s.name }))} data-testid="enrol-store" />
        </Form.Item>
        <Form.Item name="marketing_opt_in" label={t('mem.marketingOptIn')} valuePropName="checked">
          <Switch data-testid="enrol-marketing" />
        </Form.Item>
        <Form.Item
          name="consent"
          valuePropName="checked"
          rules={[{ validator: async (_r, value: boolean) => (value ? undefined : Promise.reject(new Error(t('mem.enrol.consentNeeded')))) }]}
          extra={<Typography.Text type="secondary">{t('mem.enrol.consentVersion', { version: program?.consent_version ?? '—' })}</Typography.Text>}
        >
          <Switch data-testid="enrol-consent" checkedChildren={t('mem.enrol.consented')} unCheckedChildren={t('mem.enrol.consent')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
