import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Divider, Form, Input, Modal, Popconfirm, Select, Switch, Table } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, fetchAll, type Agent, type Merchant } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import { RatesPanel } from '../components/RatesPanel.js';

interface CreateForm {
  name: string;
  legal_name?: string;
  agent_id?: string;
  timezone?: string;
  with_owner: boolean;
  owner_login?: string;
  owner_name?: string;
  owner_password?: string;
  owner_phone?: string;
}

const timezones = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'UTC'];

/** Operator admins onboard and suspend merchants; agents see theirs read-only. */
export default function MerchantsPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canWrite = hasRole(me, ['operator_admin']);
  const list = usePagedList<Merchant>('/v1/merchants');
  const [agents, setAgents] = useState<Agent[]>([]);
  const [creating, setCreating] = useState(false);
  // Fee rates per channel: read by the operator and the merchant's agent, set by operator admins.
  const [ratesOf, setRatesOf] = useState<Merchant | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<CreateForm>();
  const withOwner = Form.useWatch('with_owner', form);

  useEffect(() => {
    if (canWrite) fetchAll<Agent>('/v1/agents').then(setAgents, (e: unknown) => message.error(problemText(e)));
  }, [canWrite, message]);
  const agentName = useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);

  const create = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api.post<Merchant>('/v1/merchants', {
        name: v.name,
        ...(v.legal_name && { legal_name: v.legal_name }),
        ...(v.agent_id && { agent_id: v.agent_id }),
        ...(v.timezone && { timezone: v.timezone }),
        ...(v.with_owner && {
          owner: { login: v.owner_login, display_name: v.owner_name, password: v.owner_password, ...(v.owner_phone && { phone: v.owner_phone }) },
        }),
      });
      message.success(t('merchants.created'));
      setCreating(false);
      void list.reload();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (m: Merchant, status: 'active' | 'suspended') => {
    try {
      const updated = await api.patch<Merchant>(`/v1/merchants/${m.id}`, { status });
      list.replace((x) => x.id === updated.id, updated);
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('merchants.title')}
        testId="page-title"
        extra={
          canWrite && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              data-testid="merchant-create"
              onClick={() => {
                form.resetFields();
                form.setFieldsValue({ timezone: 'Asia/Shanghai', with_owner: true });
                setCreating(true);
              }}
            >
              {t('merchants.create')}
            </Button>
          )
        }
      />
      {!canWrite && <Alert type="info" showIcon title={t('merchants.readOnlyHint')} style={{ marginBottom: 16 }} />}
      <LoadError error={list.error} />
      <Table<Merchant>
        data-testid="merchants-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(m) => rowTestId(`merchant-row-${m.id}`)}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('merchants.legalName'), dataIndex: 'legal_name', render: (v: string | null) => v ?? '—' },
          { title: t('merchants.agent'), dataIndex: 'agent_id', render: (v: string | null) => (v ? (agentName.get(v) ?? <code className="id">{v}</code>) : '—') },
          { title: t('merchants.timezone'), dataIndex: 'timezone' },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          { title: t('common.id'), dataIndex: 'id', render: (v: string) => <code className="id">{v}</code> },
          {
            title: t('merchants.rates'),
            key: 'rates',
            render: (_: unknown, m: Merchant) => (
              <Button size="small" onClick={() => setRatesOf(m)} {...buttonTestId(`merchant-rates-${m.id}`)}>
                {t('merchants.rates')}
              </Button>
            ),
          },
          ...(canWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, m: Merchant) =>
                    m.status === 'active' ? (
                      <Popconfirm title={t('merchants.suspendConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => setStatus(m, 'suspended')}>
                        <Button size="small" danger>
                          {t('merchants.suspend')}
                        </Button>
                      </Popconfirm>
                    ) : (
                      <Button size="small" onClick={() => void setStatus(m, 'active')}>
                        {t('merchants.reactivate')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <Modal open={ratesOf !== null} title={ratesOf ? `${t('merchants.rates')} · ${ratesOf.name}` : ''} footer={null} width={820} destroyOnHidden onCancel={() => setRatesOf(null)} data-testid="merchant-rates-modal">
        {ratesOf && <RatesPanel merchantId={ratesOf.id} canWrite={canWrite} />}
      </Modal>
      <Modal
        open={creating}
        title={t('merchants.create')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        onOk={() => void create()}
        confirmLoading={busy}
        onCancel={() => setCreating(false)}
        okButtonProps={buttonTestId('merchant-save')}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, message: t('common.required') }, { max: 100 }]}>
            <Input data-testid="merchant-name" />
          </Form.Item>
          <Form.Item name="legal_name" label={t('merchants.legalName')} rules={[{ max: 100 }]}>
            <Input data-testid="merchant-legal-name" />
          </Form.Item>
          <Form.Item name="agent_id" label={t('merchants.agent')}>
            <Select allowClear options={agents.map((a) => ({ value: a.id, label: a.name }))} />
          </Form.Item>
          <Form.Item name="timezone" label={t('merchants.timezone')}>
            <Select options={timezones.map((z) => ({ value: z, label: z }))} />
          </Form.Item>
          <Divider style={{ margin: '8px 0 16px' }} />
          <Form.Item name="with_owner" label={t('merchants.withOwner')} valuePropName="checked">
            <Switch data-testid="merchant-with-owner" />
          </Form.Item>
          {withOwner && (
            <>
              <Form.Item name="owner_name" label={t('merchants.ownerName')} rules={[{ required: true, message: t('common.required') }]}>
                <Input data-testid="merchant-owner-name" />
              </Form.Item>
              <Form.Item name="owner_login" label={t('merchants.ownerLogin')} rules={[{ required: true, message: t('common.required') }, { pattern: /^[A-Za-z0-9_.@+-]{3,64}$/ }]}>
                <Input data-testid="merchant-owner-login" autoComplete="off" />
              </Form.Item>
              <Form.Item name="owner_password" label={t('merchants.ownerPassword')} extra={t('password.rule')} rules={[{ required: true, message: t('common.required') }]}>
                <Input.Password data-testid="merchant-owner-password" autoComplete="new-password" />
              </Form.Item>
              <Form.Item name="owner_phone" label={t('common.phone')} rules={[{ pattern: /^[0-9+ -]{5,20}$/ }]}>
                <Input data-testid="merchant-owner-phone" />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </>
  );
}
