import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Descriptions, Drawer, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, type WebhookDelivery, type WebhookDeliveryDetail, type WebhookEndpoint } from '../api.js';
import { useI18n } from '../i18n.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { SecretModal } from '../components/SecretModal.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';

interface EndpointForm {
  url: string;
  description?: string;
  event_types?: string[];
  enabled?: boolean;
}

const deliveryStatuses = ['pending', 'delivered', 'failed'];

export default function WebhooksPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<WebhookEndpoint | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<EndpointForm>();
  const [filter, setFilter] = useState<{ endpoint_id?: string; status?: string }>({});
  const deliveries = usePagedList<WebhookDelivery>('/v1/webhook-deliveries', filter);
  const [openDelivery, setOpenDelivery] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setEndpoints((await api.get<{ items: WebhookEndpoint[] }>('/v1/webhook-endpoints')).items);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const endpointUrl = useMemo(() => new Map(endpoints.map((e) => [e.id, e.url])), [endpoints]);

  const open = (endpoint: WebhookEndpoint | 'new') => {
    setEditing(endpoint);
    form.setFieldsValue(
      endpoint === 'new'
        ? { url: '', description: '', event_types: ['*'], enabled: true }
        : { url: endpoint.url, description: endpoint.description ?? '', event_types: endpoint.event_types, enabled: endpoint.enabled },
    );
  };

  const save = async () => {
    const v = await form.validateFields();
    const eventTypes = v.event_types?.length ? v.event_types : ['*'];
    setBusy(true);
    try {
      if (editing === 'new') {
        const created = await api.post<WebhookEndpoint & { secret: string }>('/v1/webhook-endpoints', {
          url: v.url,
          ...(v.description && { description: v.description }),
          event_types: eventTypes,
        });
        setSecret(created.secret);
      } else if (editing) {
        await api.patch<WebhookEndpoint>(`/v1/webhook-endpoints/${editing.id}`, {
          url: v.url,
          description: v.description ? v.description : null,
          event_types: eventTypes,
          enabled: v.enabled ?? true,
        });
        message.success(t('common.saved'));
      }
      setEditing(null);
      void load();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (endpoint: WebhookEndpoint) => {
    try {
      await api.delete(`/v1/webhook-endpoints/${endpoint.id}`);
      void load();
      void deliveries.reload();
    } catch (e) {
      message.error(problemText(e));
    }
  };

  const sendTest = async (endpoint: WebhookEndpoint) => {
    try {
      await api.post(`/v1/webhook-endpoints/${endpoint.id}/test`);
      message.success(t('webhooks.testSent'));
      void deliveries.reload();
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('webhooks.title')}
        testId="page-title"
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="webhook-create">
            {t('webhooks.create')}
          </Button>
        }
      />
      <LoadError error={error} />
      <Card title={t('webhooks.endpoints')} size="small">
        <Table<WebhookEndpoint>
          data-testid="webhook-endpoints-table"
          rowKey="id"
          loading={loading}
          dataSource={endpoints}
          pagination={false}
          onRow={(e) => rowTestId(`webhook-endpoint-row-${e.id}`)}
          columns={[
            { title: t('webhooks.url'), dataIndex: 'url', render: (v: string) => <code>{v}</code> },
            { title: t('webhooks.description'), dataIndex: 'description', render: (v: string | null) => v ?? '—' },
            {
              title: t('webhooks.eventTypes'),
              dataIndex: 'event_types',
              render: (types: string[]) => (
                <Space size={[4, 4]} wrap>
                  {types.map((x) => (
                    <Tag key={x}>{x}</Tag>
                  ))}
                </Space>
              ),
            },
            { title: t('common.status'), dataIndex: 'enabled', render: (v: boolean) => <StatusTag status={v ? 'enabled' : 'disabled'} /> },
            { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, e) => (
                <Space wrap>
                  <Button size="small" onClick={() => void sendTest(e)} data-testid={`webhook-test-${e.id}`}>
                    {t('webhooks.sendTest')}
                  </Button>
                  <Button size="small" onClick={() => open(e)}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm title={t('webhooks.deleteConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => remove(e)}>
                    <Button size="small" danger>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>

      <Card
        title={t('webhooks.deliveries')}
        size="small"
        style={{ marginTop: 16 }}
        extra={
          <Space wrap>
            <Select
              allowClear
              placeholder={t('webhooks.endpoint')}
              style={{ width: 260 }}
              value={filter.endpoint_id}
              onChange={(endpoint_id?: string) => setFilter((f) => ({ ...f, endpoint_id }))}
              options={endpoints.map((e) => ({ value: e.id, label: e.url }))}
            />
            <Select
              allowClear
              placeholder={t('common.status')}
              style={{ width: 140 }}
              value={filter.status}
              onChange={(status?: string) => setFilter((f) => ({ ...f, status }))}
              options={deliveryStatuses.map((s) => ({ value: s, label: <StatusTag status={s} /> }))}
            />
            <Button icon={<ReloadOutlined />} onClick={() => void deliveries.reload()} data-testid="deliveries-refresh">
              {t('common.refresh')}
            </Button>
          </Space>
        }
      >
        <LoadError error={deliveries.error} />
        <Table<WebhookDelivery>
          data-testid="webhook-deliveries-table"
          rowKey="id"
          size="small"
          loading={deliveries.loading}
          dataSource={deliveries.items}
          pagination={false}
          onRow={(d) => ({ ...rowTestId(`webhook-delivery-row-${d.id}`), onClick: () => setOpenDelivery(d.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
            { title: t('webhooks.event'), dataIndex: 'event_type', render: (v: string) => <Tag color="geekblue">{v}</Tag> },
            { title: t('webhooks.endpoint'), dataIndex: 'endpoint_id', render: (v: string) => <code>{endpointUrl.get(v) ?? v}</code> },
            { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
            { title: t('webhooks.attempts'), dataIndex: 'attempts' },
            { title: t('webhooks.lastStatus'), key: 'last', render: (_: unknown, d) => d.last_status_code ?? d.last_error ?? '—' },
            { title: t('webhooks.nextAttempt'), dataIndex: 'next_attempt_at', render: (v: string | null) => (v ? formatTime(v) : '—') },
          ]}
        />
        <LoadMore hasMore={deliveries.hasMore} loading={deliveries.loading} onClick={() => void deliveries.loadMore()} />
      </Card>

      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('webhooks.create') : t('webhooks.edit')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onOk={() => void save()}
        confirmLoading={busy}
        onCancel={() => setEditing(null)}
        okButtonProps={buttonTestId('webhook-save')}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="url" label={t('webhooks.url')} rules={[{ required: true, message: t('common.required') }, { pattern: /^https?:\/\/.+/, message: 'http(s)://…' }]}>
            <Input data-testid="webhook-url" placeholder="https://example.com/memberplus/webhooks" />
          </Form.Item>
          <Form.Item name="description" label={t('webhooks.description')} rules={[{ max: 500 }]}>
            <Input data-testid="webhook-description" />
          </Form.Item>
          <Form.Item name="event_types" label={t('webhooks.eventTypes')} extra={t('webhooks.eventTypesHelp')}>
            <Select mode="tags" data-testid="webhook-event-types" tokenSeparators={[',', ' ']} options={[{ value: '*' }, { value: 'webhook.test' }]} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="enabled" label={t('webhooks.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <SecretModal secret={secret} title={t('webhooks.secretTitle')} warning={t('webhooks.secretWarning')} onClose={() => setSecret(null)} />
      <DeliveryDrawer
        deliveryId={openDelivery}
        endpointUrl={openDelivery ? (endpointUrl.get(deliveries.items.find((d) => d.id === openDelivery)?.endpoint_id ?? '') ?? null) : null}
        onClose={() => setOpenDelivery(null)}
        onResent={(d) => deliveries.replace((x) => x.id === d.id, d)}
      />
    </>
  );
}

function DeliveryDrawer({ deliveryId, endpointUrl, onClose, onResent }: { deliveryId: string | null; endpointUrl: string | null; onClose(): void; onResent(d: WebhookDelivery): void }) {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<WebhookDeliveryDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [resending, setResending] = useState(false);

  const load = useCallback(async (id: string) => {
    try {
      setDetail(await api.get<WebhookDeliveryDetail>(`/v1/webhook-deliveries/${id}`));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    setDetail(null);
    if (deliveryId) void load(deliveryId);
  }, [deliveryId, load]);

  const resend = async () => {
    if (!deliveryId) return;
    setResending(true);
    try {
      const updated = await api.post<WebhookDelivery>(`/v1/webhook-deliveries/${deliveryId}/resend`);
      message.success(t('webhooks.resent'));
      onResent(updated);
      await load(deliveryId);
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setResending(false);
    }
  };

  return (
    <Drawer
      open={deliveryId !== null}
      onClose={onClose}
      size={720}
      title={t('webhooks.deliveryTitle')}
      data-testid="delivery-drawer"
      extra={
        <Button type="primary" onClick={() => void resend()} loading={resending} data-testid="delivery-resend">
          {t('webhooks.resend')}
        </Button>
      }
    >
      <LoadError error={error} />
      {detail && (
        <>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('common.id')}>
              <code>{detail.id}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('webhooks.event')}>
              <Tag color="geekblue">{detail.event_type}</Tag> <code>{detail.event_id}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('webhooks.endpoint')}>
              <code>{endpointUrl ?? detail.endpoint_id}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>
              <StatusTag status={detail.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('webhooks.nextAttempt')}>{detail.next_attempt_at ? formatTime(detail.next_attempt_at) : '—'}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('webhooks.attempts')}
          </Typography.Title>
          <Table
            data-testid="delivery-attempts"
            rowKey="attempt_no"
            size="small"
            pagination={false}
            dataSource={detail.attempts}
            locale={{ emptyText: t('webhooks.noAttempts') }}
            columns={[
              { title: t('webhooks.attemptNo'), dataIndex: 'attempt_no', width: 70 },
              { title: t('webhooks.attemptedAt'), dataIndex: 'attempted_at', render: (v: string) => formatTime(v) },
              { title: t('webhooks.statusCode'), dataIndex: 'status_code', render: (v: number | null) => v ?? '—' },
              { title: t('webhooks.error'), dataIndex: 'error', render: (v: string | null) => v ?? '—' },
              { title: t('webhooks.duration'), dataIndex: 'duration_ms' },
              { title: t('webhooks.manual'), dataIndex: 'manual', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            Payload
          </Typography.Title>
          <pre className="json">{JSON.stringify(detail.payload, null, 2)}</pre>
        </>
      )}
    </Drawer>
  );
}
