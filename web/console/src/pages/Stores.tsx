import { useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Space, Table } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, type Store } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, merchantManagers, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';

interface StoreForm {
  name: string;
  address?: string;
  phone?: string;
}

/** Drops empty optional fields: the API rejects an empty phone rather than storing it. */
function compact<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}

export default function StoresPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canWrite = hasRole(me, merchantManagers);
  const list = usePagedList<Store>('/v1/stores');
  const [editing, setEditing] = useState<Store | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<StoreForm>();

  const open = (store: Store | 'new') => {
    setEditing(store);
    form.setFieldsValue(store === 'new' ? { name: '', address: '', phone: '' } : { name: store.name, address: store.address ?? '', phone: store.phone ?? '' });
  };

  const save = async () => {
    const values = compact(await form.validateFields());
    setBusy(true);
    try {
      if (editing === 'new') {
        await api.post<Store>('/v1/stores', values);
        message.success(t('stores.created'));
        void list.reload();
      } else if (editing) {
        const updated = await api.patch<Store>(`/v1/stores/${editing.id}`, values);
        list.replace((s) => s.id === updated.id, updated);
        message.success(t('common.saved'));
      }
      setEditing(null);
    } catch (error) {
      message.error(problemText(error));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (store: Store, status: 'active' | 'closed') => {
    try {
      const updated = await api.patch<Store>(`/v1/stores/${store.id}`, { status });
      list.replace((s) => s.id === updated.id, updated);
    } catch (error) {
      message.error(problemText(error));
    }
  };

  return (
    <>
      <PageHeader
        title={t('stores.title')}
        testId="page-title"
        extra={
          canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="store-create">
              {t('stores.create')}
            </Button>
          )
        }
      />
      <LoadError error={list.error} />
      <Table<Store>
        data-testid="stores-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(store) => rowTestId(`store-row-${store.id}`)}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('stores.address'), dataIndex: 'address', render: (v: string | null) => v ?? '—' },
          { title: t('common.phone'), dataIndex: 'phone', render: (v: string | null) => v ?? '—' },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          { title: t('common.id'), dataIndex: 'id', render: (v: string) => <code className="id">{v}</code> },
          ...(canWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, store: Store) => (
                    <Space>
                      <Button size="small" onClick={() => open(store)}>
                        {t('common.edit')}
                      </Button>
                      {store.status === 'active' ? (
                        <Popconfirm title={t('stores.closeConfirm')} onConfirm={() => setStatus(store, 'closed')} okText={t('common.confirm')} cancelText={t('common.cancel')}>
                          <Button size="small" danger>
                            {t('stores.close')}
                          </Button>
                        </Popconfirm>
                      ) : (
                        <Button size="small" onClick={() => void setStatus(store, 'active')}>
                          {t('stores.reopen')}
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('stores.create') : t('stores.edit')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onOk={() => void save()}
        confirmLoading={busy}
        onCancel={() => setEditing(null)}
        okButtonProps={buttonTestId('store-save')}
        forceRender
      >
        <Form form={form} layout="vertical" data-testid="store-form">
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, message: t('common.required') }, { max: 100 }]}>
            <Input data-testid="store-name" />
          </Form.Item>
          <Form.Item name="address" label={t('stores.address')} rules={[{ max: 300 }]}>
            <Input data-testid="store-address" />
          </Form.Item>
          <Form.Item name="phone" label={t('common.phone')} rules={[{ pattern: /^[0-9+ -]{5,20}$/ }]}>
            <Input data-testid="store-phone" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
