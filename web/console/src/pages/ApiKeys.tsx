import { useCallback, useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, type ApiKey, type RolesReference } from '../api.js';
import { useI18n } from '../i18n.js';
import { useMe } from '../session.js';
import { LoadError, PageHeader } from '../components/PageHeader.js';
import { SecretModal } from '../components/SecretModal.js';
import { StatusTag } from '../components/StatusTag.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';

interface CreateForm {
  name: string;
  scopes: string[];
}

/** Merchant keys for a merchant user, the operator's own keys for an operator admin (same API). */
export default function ApiKeysPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [scopes, setScopes] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<CreateForm>();

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setKeys((await api.get<{ items: ApiKey[] }>('/v1/api-keys')).items);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
    api.get<RolesReference>('/v1/roles').then(
      (r) => setScopes(['*', ...(me.merchant_id ? r.merchant_scopes : r.operator_scopes)]),
      (e: unknown) => message.error(problemText(e)),
    );
  }, [load, me.merchant_id, message]);

  const create = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const created = await api.post<ApiKey & { secret: string }>('/v1/api-keys', values);
      setCreating(false);
      form.resetFields();
      setSecret(created.secret);
      void load();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    try {
      const updated = await api.post<ApiKey>(`/v1/api-keys/${key.id}/revoke`);
      setKeys((list) => list.map((k) => (k.id === updated.id ? updated : k)));
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <>
      <PageHeader
        title={me.merchant_id ? t('apiKeys.title') : t('apiKeys.operatorTitle')}
        testId="page-title"
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            data-testid="api-key-create"
            onClick={() => {
              form.setFieldsValue({ name: '', scopes: [] });
              setCreating(true);
            }}
          >
            {t('apiKeys.create')}
          </Button>
        }
      />
      <LoadError error={error} />
      <Table<ApiKey>
        data-testid="api-keys-table"
        rowKey="id"
        loading={loading}
        dataSource={keys}
        pagination={false}
        onRow={(k) => rowTestId(`api-key-row-${k.id}`)}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          {
            title: t('apiKeys.scopes'),
            dataIndex: 'scopes',
            render: (list: string[]) => (
              <Space size={[4, 4]} wrap>
                {list.map((s) => (
                  <Tag key={s}>
                    <code>{s}</code>
                  </Tag>
                ))}
              </Space>
            ),
          },
          { title: t('common.status'), key: 'status', render: (_: unknown, k) => <StatusTag status={k.revoked_at ? 'revoked' : 'active'} /> },
          { title: t('apiKeys.lastUsed'), dataIndex: 'last_used_at', render: (v: string | null) => (v ? formatTime(v) : t('apiKeys.never')) },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          { title: t('common.id'), dataIndex: 'id', render: (v: string) => <code className="id">{v}</code> },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, k) =>
              !k.revoked_at && (
                <Popconfirm title={t('apiKeys.revokeConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => revoke(k)}>
                  <Button size="small" danger data-testid={`api-key-revoke-${k.id}`}>
                    {t('apiKeys.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('apiKeys.create')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        onOk={() => void create()}
        confirmLoading={busy}
        onCancel={() => setCreating(false)}
        okButtonProps={buttonTestId('api-key-save')}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, message: t('common.required') }, { max: 100 }]}>
            <Input data-testid="api-key-name" />
          </Form.Item>
          <Form.Item name="scopes" label={t('apiKeys.scopes')} rules={[{ required: true, message: t('common.required') }]}>
            <Select
              data-testid="api-key-scopes"
              mode="multiple"
              options={scopes.map((s) => ({ value: s, label: <span data-testid={`scope-option-${s}`}>{s === '*' ? t('apiKeys.scopesAll') : s}</span> }))}
            />
          </Form.Item>
        </Form>
      </Modal>
      <SecretModal secret={secret} title={t('apiKeys.secretTitle')} warning={t('apiKeys.secretWarning')} onClose={() => setSecret(null)} />
    </>
  );
}
