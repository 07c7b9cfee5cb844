import { useEffect, useMemo, useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, fetchAll, type RolesReference, type StaffMember, type Store } from '../api.js';
import { isMessageKey, useCodeLabel, useI18n } from '../i18n.js';
import { useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';

const storeScoped = ['store_manager', 'cashier', 'shopping_guide'];

/** Roles the signed-in user may hand out; the server decides, this only trims the choice. */
function assignableRoles(actorRole: string | null, merchantRoles: readonly string[]): string[] {
  switch (actorRole) {
    case 'merchant_owner':
      return [...merchantRoles];
    case 'merchant_admin':
      return merchantRoles.filter((r) => r === 'merchant_admin' || storeScoped.includes(r));
    case 'store_manager':
      return ['cashier', 'shopping_guide'];
    default:
      return [];
  }
}

interface CreateForm {
  login: string;
  display_name: string;
  password: string;
  role: string;
  phone?: string;
  store_ids?: string[];
}

interface AccessForm {
  role: string;
  store_ids: string[];
}

export default function StaffPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('staff.title')} testId="page-title" />
      <Tabs
        items={[
          { key: 'staff', label: <span data-testid="tab-staff">{t('staff.tabStaff')}</span>, children: <StaffTab /> },
          { key: 'roles', label: <span data-testid="tab-roles">{t('staff.tabRoles')}</span>, children: <RolesTab /> },
        ]}
      />
    </>
  );
}

function StaffTab() {
  const { t, formatTime } = useI18n();
  const codeLabel = useCodeLabel();
  const { message } = App.useApp();
  const me = useMe();
  const list = usePagedList<StaffMember>('/v1/staff');
  const [stores, setStores] = useState<Store[]>([]);
  const [reference, setReference] = useState<RolesReference | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<StaffMember | null>(null);
  const [resetting, setResetting] = useState<StaffMember | null>(null);
  const [busy, setBusy] = useState(false);
  const [createForm] = Form.useForm<CreateForm>();
  const [accessForm] = Form.useForm<AccessForm>();
  const [passwordForm] = Form.useForm<{ password: string }>();
  const createRole = Form.useWatch('role', createForm);
  const accessRole = Form.useWatch('role', accessForm);

  useEffect(() => {
    fetchAll<Store>('/v1/stores').then(setStores, (e: unknown) => message.error(problemText(e)));
    api.get<RolesReference>('/v1/roles').then(setReference, (e: unknown) => message.error(problemText(e)));
  }, [message]);

  const storeName = useMemo(() => new Map(stores.map((s) => [s.id, s.name])), [stores]);
  const roleOptions = assignableRoles(me.role, reference?.merchant_roles ?? []).map((role) => ({
    value: role,
    label: <span data-testid={`role-option-${role}`}>{codeLabel('role', role)}</span>,
  }));
  const storeOptions = stores
    .filter((s) => s.status === 'active')
    .map((s) => ({ value: s.id, label: <span data-testid={`store-option-${s.id}`}>{s.name}</span> }));

  const run = async (work: () => Promise<StaffMember>, done?: string) => {
    setBusy(true);
    try {
      const updated = await work();
      list.replace((u) => u.id === updated.id, updated);
      if (done) message.success(done);
      return true;
    } catch (error) {
      message.error(problemText(error));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = async () => {
    const v = await createForm.validateFields();
    setBusy(true);
    try {
      await api.post<StaffMember>('/v1/staff', {
        login: v.login,
        display_name: v.display_name,
        password: v.password,
        role: v.role,
        ...(v.phone && { phone: v.phone }),
        ...(storeScoped.includes(v.role) && { store_ids: v.store_ids ?? [] }),
      });
      message.success(t('staff.created'));
      setCreating(false);
      createForm.resetFields();
      void list.reload();
    } catch (error) {
      message.error(problemText(error));
    } finally {
      setBusy(false);
    }
  };

  const saveAccess = async () => {
    if (!editing) return;
    const v = await accessForm.validateFields();
    const body = { role: v.role, store_ids: storeScoped.includes(v.role) ? v.store_ids : [] };
    if (await run(() => api.patch<StaffMember>(`/v1/staff/${editing.id}`, body), t('common.saved'))) setEditing(null);
  };

  const resetPassword = async () => {
    if (!resetting) return;
    const v = await passwordForm.validateFields();
    if (await run(() => api.patch<StaffMember>(`/v1/staff/${resetting.id}`, { password: v.password }), t('common.saved'))) {
      setResetting(null);
      passwordForm.resetFields();
    }
  };

  const isLocked = (u: StaffMember) => u.locked_until !== null && new Date(u.locked_until).getTime() > Date.now();

  return (
    <>
      <Space style={{ marginBottom: 16 }}>
        {roleOptions.length > 0 && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            data-testid="staff-create"
            onClick={() => {
              createForm.resetFields();
              setCreating(true);
            }}
          >
            {t('staff.create')}
          </Button>
        )}
      </Space>
      <LoadError error={list.error} />
      <Table<StaffMember>
        data-testid="staff-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(u) => rowTestId(`staff-row-${u.login}`)}
        columns={[
          { title: t('staff.displayName'), dataIndex: 'display_name' },
          { title: t('staff.login'), dataIndex: 'login', render: (v: string) => <code>{v}</code> },
          { title: t('staff.role'), dataIndex: 'role', render: (v: string) => <Tag color="blue">{codeLabel('role', v)}</Tag> },
          {
            title: t('staff.stores'),
            dataIndex: 'store_ids',
            render: (ids: string[], u) =>
              storeScoped.includes(u.role) ? (
                <Space size={[4, 4]} wrap>
                  {ids.map((id) => (
                    <Tag key={id}>{storeName.get(id) ?? id}</Tag>
                  ))}
                </Space>
              ) : (
                <Typography.Text type="secondary">{t('staff.allStores')}</Typography.Text>
              ),
          },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (v: string, u) =>
              isLocked(u) ? (
                <Tooltip title={t('staff.lockedUntil', { time: formatTime(u.locked_until) })}>
                  <span>
                    <StatusTag status="locked" />
                  </span>
                </Tooltip>
              ) : (
                <StatusTag status={v} />
              ),
          },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, u) =>
              u.id === me.id || u.role === 'merchant_owner' ? null : (
                <Space wrap>
                  <Button
                    size="small"
                    onClick={() => {
                      accessForm.setFieldsValue({ role: u.role, store_ids: u.store_ids });
                      setEditing(u);
                    }}
                  >
                    {t('staff.editAccess')}
                  </Button>
                  {isLocked(u) && (
                    <Button size="small" onClick={() => void run(() => api.patch<StaffMember>(`/v1/staff/${u.id}`, { unlock: true }), t('common.saved'))}>
                      {t('staff.unlock')}
                    </Button>
                  )}
                  <Button size="small" onClick={() => setResetting(u)}>
                    {t('staff.resetPassword')}
                  </Button>
                  {u.status === 'active' ? (
                    <Popconfirm
                      title={t('staff.disableConfirm')}
                      okText={t('common.confirm')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => run(() => api.patch<StaffMember>(`/v1/staff/${u.id}`, { status: 'disabled' }))}
                    >
                      <Button size="small" danger>
                        {t('staff.disable')}
                      </Button>
                    </Popconfirm>
                  ) : (
                    <Button size="small" onClick={() => void run(() => api.patch<StaffMember>(`/v1/staff/${u.id}`, { status: 'active' }))}>
                      {t('staff.enable')}
                    </Button>
                  )}
                </Space>
              ),
          },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />

      <Modal
        open={creating}
        title={t('staff.create')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onOk={() => void create()}
        confirmLoading={busy}
        onCancel={() => setCreating(false)}
        okButtonProps={buttonTestId('staff-save')}
        forceRender
      >
        <Form form={createForm} layout="vertical">
          <Form.Item name="display_name" label={t('staff.displayName')} rules={[{ required: true, message: t('common.required') }]}>
            <Input data-testid="staff-display-name" />
          </Form.Item>
          <Form.Item name="login" label={t('staff.login')} rules={[{ required: true, message: t('common.required') }, { pattern: /^[A-Za-z0-9_.@+-]{3,64}$/ }]}>
            <Input data-testid="staff-login" autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" label={t('staff.password')} extra={t('password.rule')} rules={[{ required: true, message: t('common.required') }]}>
            <Input.Password data-testid="staff-password" autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="phone" label={t('common.phone')} rules={[{ pattern: /^[0-9+ -]{5,20}$/ }]}>
            <Input data-testid="staff-phone" />
          </Form.Item>
          <Form.Item name="role" label={t('staff.role')} rules={[{ required: true, message: t('common.required') }]}>
            <Select data-testid="staff-role" options={roleOptions} />
          </Form.Item>
          {createRole && storeScoped.includes(createRole) && (
            <Form.Item name="store_ids" label={t('staff.stores')} extra={t('staff.storesHelp')} rules={[{ required: true, message: t('common.required') }]}>
              <Select data-testid="staff-stores" mode="multiple" options={storeOptions} />
            </Form.Item>
          )}
        </Form>
      </Modal>

      <Modal
        open={editing !== null}
        title={`${t('staff.editAccess')} · ${editing?.display_name ?? ''}`}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onOk={() => void saveAccess()}
        confirmLoading={busy}
        onCancel={() => setEditing(null)}
        okButtonProps={buttonTestId('staff-access-save')}
        forceRender
      >
        <Form form={accessForm} layout="vertical">
          <Form.Item name="role" label={t('staff.role')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={roleOptions} />
          </Form.Item>
          {accessRole && storeScoped.includes(accessRole) && (
            <Form.Item name="store_ids" label={t('staff.stores')} extra={t('staff.storesHelp')} rules={[{ required: true, message: t('common.required') }]}>
              <Select mode="multiple" options={storeOptions} />
            </Form.Item>
          )}
        </Form>
      </Modal>

      <Modal
        open={resetting !== null}
        title={`${t('staff.resetPassword')} · ${resetting?.display_name ?? ''}`}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onOk={() => void resetPassword()}
        confirmLoading={busy}
        onCancel={() => setResetting(null)}
        forceRender
      >
        <Form form={passwordForm} layout="vertical">
          <Form.Item name="password" label={t('staff.newPassword')} extra={t('password.rule')} rules={[{ required: true, message: t('common.required') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function RolesTab() {
  const { t } = useI18n();
  const codeLabel = useCodeLabel();
  const [reference, setReference] = useState<RolesReference | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.get<RolesReference>('/v1/roles').then(setReference, setError);
  }, []);
  const me = useMe();
  const roles = me.merchant_id ? (reference?.merchant_roles ?? []) : (reference?.roles ?? []);
  return (
    <>
      <LoadError error={error} />
      <Table
        data-testid="roles-table"
        rowKey="role"
        loading={!reference && !error}
        pagination={false}
        dataSource={roles.map((role) => ({ role }))}
        columns={[
          { title: t('staff.roleColumn'), dataIndex: 'role', width: 200, render: (role: string) => <Tag color="blue">{codeLabel('role', role)}</Tag> },
          {
            title: t('staff.canDo'),
            dataIndex: 'role',
            key: 'desc',
            render: (role: string) => {
              const key = `roleDesc.${role}`;
              return (
                <Space>
                  {isMessageKey(key) ? t(key) : role}
                  {storeScoped.includes(role) && <Tag>{t('staff.storeScoped')}</Tag>}
                </Space>
              );
            },
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('staff.scopesTitle')}
      </Typography.Title>
      <Space size={[8, 8]} wrap>
        {(me.merchant_id ? (reference?.merchant_scopes ?? []) : (reference?.operator_scopes ?? [])).map((scope) => (
          <Tag key={scope}>
            <code>{scope}</code>
          </Tag>
        ))}
      </Space>
    </>
  );
}
