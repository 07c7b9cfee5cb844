import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { api, type Page } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { membershipRoles } from './membership.js';
import { yuan } from './money.js';
import { problemText } from './problems.js';
import { buttonTestId, rowTestId } from './testid.js';

// What an ID+ unmerge could not give back (src/modules/membership/merge-shortfalls.ts): shown on the
// member drawer (owed to or by the member) and in the ID+ person panel (per undone merge). Owners and
// admins settle one (the surviving member gives it back) or write it off with a reason.

export interface Shortfall {
  id: string;
  merge_id: string;
  kind: 'points' | 'stored_value_principal' | 'stored_value_bonus' | 'coupon';
  item_id: string | null;
  amount: number;
  owed_to_member_id: string;
  owed_by_member_id: string;
  status: 'open' | 'settled' | 'written_off';
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_reason: string | null;
  resolution_reference: string | null;
}

type Source = { memberId: string } | { mergeIds: readonly string[] };

async function load(source: Source): Promise<Shortfall[]> {
  if ('memberId' in source) return (await api.get<Page<Shortfall>>(`/v1/members/${source.memberId}/merge-shortfalls`, { status: 'all', limit: 200 })).items;
  const pages = await Promise.all(source.mergeIds.map((id) => api.get<Page<Shortfall>>('/v1/membership/merge-shortfalls', { merge_id: id, status: 'all', limit: 200 })));
  return pages.flatMap((p) => p.items);
}

export function MergeShortfalls({ memberId, mergeIds, onChanged }: { memberId?: string; mergeIds?: readonly string[]; onChanged?(): void }) {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canSettle = hasRole(me, membershipRoles.owners);
  const [items, setItems] = useState<Shortfall[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [acting, setActing] = useState<{ shortfall: Shortfall; action: 'settle' | 'write-off' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const mergeKey = mergeIds?.join(',') ?? '';

  const reload = useCallback(async () => {
    const source: Source | null = memberId ? { memberId } : mergeKey ? { mergeIds: mergeKey.split(',') } : null;
    if (!source) return setItems([]);
    try {
      setItems(await load(source));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [memberId, mergeKey]);
  useEffect(() => {
    void reload();
  }, [reload]);

  if (error) return <Alert type="warning" showIcon title={problemText(error)} style={{ marginTop: 16 }} />;
  if (items.length === 0) return null;
  const open = items.filter((s) => s.status === 'open').length;
  const amountText = (s: Shortfall) => (s.kind === 'points' ? `${s.amount}` : s.kind === 'coupon' ? t('mem.shortfall.coupons', { count: s.amount }) : yuan(s.amount));
  // Ids are long: shown shortened (the whole id on hover), so the table fits the member drawer.
  const shortId = (id: string) => (
    <code className="id" title={id}>
      {id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id}
    </code>
  );
  const memberCell = (id: string) => (id === memberId ? <Tag title={id}>{t('mem.shortfall.thisMember')}</Tag> : shortId(id));

  const submit = async () => {
    if (!acting) return;
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api.post(`/v1/membership/merge-shortfalls/${acting.shortfall.id}/${acting.action}`, { reason: v.reason.trim() });
      message.success(t(acting.action === 'settle' ? 'mem.shortfall.settledOk' : 'mem.shortfall.writtenOffOk'));
      setActing(null);
      form.resetFields();
      await reload();
      onChanged?.();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ marginTop: 16 }} data-testid="merge-shortfalls">
      <Typography.Title level={5}>{t('mem.shortfall.title')}</Typography.Title>
      {open > 0 && <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={t('mem.shortfall.openCount', { count: open })} description={t('mem.shortfall.hint')} data-testid="merge-shortfalls-open" />}
      <Table<Shortfall>
        size="small"
        rowKey="id"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={items}
        onRow={(s) => ({ ...rowTestId(`shortfall-row-${s.id}`), 'data-status': s.status, 'data-kind': s.kind }) as ReturnType<typeof rowTestId>}
        columns={[
          { title: t('mem.shortfall.kind'), dataIndex: 'kind', render: (v: Shortfall['kind']) => t(`mem.shortfall.kind.${v}`) },
          { title: t('mem.shortfall.amount'), key: 'amount', align: 'right', render: (_: unknown, s) => amountText(s) },
          { title: t('mem.shortfall.owedTo'), dataIndex: 'owed_to_member_id', render: (v: string) => memberCell(v) },
          { title: t('mem.shortfall.owedBy'), dataIndex: 'owed_by_member_id', render: (v: string) => memberCell(v) },
          { title: t('mem.shortfall.merge'), dataIndex: 'merge_id', render: (v: string, s) => <span title={formatTime(s.created_at)}>{shortId(v)}</span> },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (v: Shortfall['status']) => <Tag color={v === 'open' ? 'orange' : v === 'settled' ? 'green' : 'default'}>{t(`mem.shortfall.status.${v}`)}</Tag>,
          },
          {
            title: t('mem.shortfall.resolution'),
            key: 'resolution',
            render: (_: unknown, s) =>
              s.resolved_at ? (
                <span title={`${s.resolved_by ?? ''} · ${formatTime(s.resolved_at)}`}>
                  {s.resolution_reason}
                  {s.resolution_reference && (
                    <>
                      {' · '}
                      {shortId(s.resolution_reference)}
                    </>
                  )}
                </span>
              ) : (
                '—'
              ),
          },
          ...(canSettle
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, s: Shortfall) =>
                    s.status === 'open' && (
                      <Space size={4}>
                        <Button size="small" type="primary" onClick={() => setActing({ shortfall: s, action: 'settle' })} data-testid={`shortfall-settle-${s.id}`}>
                          {t('mem.shortfall.settle')}
                        </Button>
                        <Button size="small" onClick={() => setActing({ shortfall: s, action: 'write-off' })} data-testid={`shortfall-write-off-${s.id}`}>
                          {t('mem.shortfall.writeOff')}
                        </Button>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={acting !== null}
        title={t(acting?.action === 'write-off' ? 'mem.shortfall.writeOffTitle' : 'mem.shortfall.settleTitle')}
        okText={t(acting?.action === 'write-off' ? 'mem.shortfall.writeOff' : 'mem.shortfall.settle')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        okButtonProps={buttonTestId('shortfall-submit')}
        onOk={() => void submit()}
        onCancel={() => {
          setActing(null);
          form.resetFields();
        }}
        destroyOnHidden
      >
        {acting && (
          <Typography.Paragraph>
            {acting.action === 'write-off'
              ? t('mem.shortfall.writeOffHint')
              : acting.shortfall.kind === 'coupon'
                ? t('mem.shortfall.settleCouponHint', { to: acting.shortfall.owed_to_member_id })
                : t('mem.shortfall.settleHint', { from: acting.shortfall.owed_by_member_id, to: acting.shortfall.owed_to_member_id, amount: `${t(`mem.shortfall.kind.${acting.shortfall.kind}`)} ${amountText(acting.shortfall)}` })}
          </Typography.Paragraph>
        )}
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label={t('mem.reason')} rules={[{ required: true, whitespace: true, message: t('mem.reasonRequired') }]}>
            <Input.TextArea rows={2} maxLength={500} data-testid="shortfall-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
