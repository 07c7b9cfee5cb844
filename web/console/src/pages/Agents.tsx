import { useState } from 'react';
import { App, Button, Form, Input, InputNumber, Modal, Table } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, type Agent } from '../api.js';
import { useI18n } from '../i18n.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';

interface CreateForm {
  name: string;
  contact_name?: string;
  contact_phone?: string;
  share_percent?: number;
}

export default function AgentsPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const list = usePagedList<Agent>('/v1/agents');
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<CreateForm>();

  const create = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api.post<Agent>('/v1/agents', {
        name: v.name,
        ...(v.contact_name && { contact_name: v.contact_name }),
        ...(v.contact_phone && { contact_phone: v.contact_phone }),
        // The API takes basis points; people think in percent.
        ...(v.share_percent !== undefined && v.share_percent !== null && { share_bps: Math.round(v.share_percent * 100) }),
      });
      message.success(t('agents.created'));
      setCreating(false);
      void list.reload();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (agent: Agent, status: 'active' | 'disabled') => {
    try {
      const updated = await api.patch<Agent>(`/v1/agents/${agent.id}`, { status });
      list.replace((a) => a.id === updated.id, updated);
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('agents.title')}
        testId="page-title"
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            data-testid="agent-create"
            onClick={() => {
              form.resetFields();
              setCreating(true);
            }}
          >
            {t('agents.create')}
          </Button>
        }
      />
      <LoadError error={list.error} />
      <Table<Agent>
        data-testid="agents-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(a) => rowTestId(`agent-row-${a.id}`)}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('agents.contactName'), dataIndex: 'contact_name', render: (v: string | null) => v ?? '—' },
          { title: t('agents.contactPhone'), dataIndex: 'contact_phone', render: (v: string | null) => v ?? '—' },
          { title: t('agents.share'), dataIndex: 'share_bps', render: (v: number) => `${(v / 100).toFixed(2)}%` },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, a) =>
              a.status === 'active' ? (
                <Button size="small" danger onClick={() => void setStatus(a, 'disabled')}>
                  {t('agents.disable')}
                </Button>
              ) : (
                <Button size="small" onClick={() => void setStatus(a, 'active')}>
                  {t('agents.enable')}
                </Button>
              ),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <Modal
        open={creating}
        title={t('agents.create')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        onOk={() => void create()}
        confirmLoading={busy}
        onCancel={() => setCreating(false)}
        okButtonProps={buttonTestId('agent-save')}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, message: t('common.required') }, { max: 100 }]}>
            <Input data-testid="agent-name" />
          </Form.Item>
          <Form.Item name="contact_name" label={t('agents.contactName')}>
            <Input />
          </Form.Item>
          <Form.Item name="contact_phone" label={t('agents.contactPhone')} rules={[{ pattern: /^[0-9+ -]{5,20}$/ }]}>
            <Input />
          </Form.Item>
          <Form.Item name="share_percent" label={t('agents.share')} extra={t('agents.shareHelp')}>
            <InputNumber min={0} max={100} step={0.5} suffix="%" style={{ width: 160 }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
