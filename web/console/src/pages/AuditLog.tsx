import { useState } from 'react';
import { Alert, AutoComplete, Button, DatePicker, Descriptions, Flex, Form, Input, Table, Tag, Typography } from 'antd';
import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { api, type AuditEntry, type ChainVerification } from '../api.js';
import { useI18n } from '../i18n.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { rowTestId } from '../components/testid.js';

// Actions written by the platform today; the filter accepts any text, later modules add theirs.
const knownActions = [
  'auth.login',
  'auth.lockout',
  'auth.password_change',
  'agent.create',
  'agent.update',
  'merchant.create',
  'merchant.update',
  'store.create',
  'store.update',
  'staff.create',
  'staff.update',
  'api_key.create',
  'api_key.revoke',
  'webhook_endpoint.create',
  'webhook_endpoint.update',
  'webhook_endpoint.delete',
  'webhook_endpoint.test',
  'webhook_delivery.resend',
];
const knownTargets = ['agent', 'merchant', 'store', 'user', 'api_key', 'webhook_endpoint', 'webhook_delivery'];

interface Filters {
  action?: string;
  actor_id?: string;
  target_type?: string;
  target_id?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

type Query = Record<string, string | undefined>;

function toQuery(f: Filters): Query {
  const trimmed = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  return {
    action: trimmed(f.action),
    actor_id: trimmed(f.actor_id),
    target_type: trimmed(f.target_type),
    target_id: trimmed(f.target_id),
    from: f.range?.[0]?.toDate().toISOString(),
    to: f.range?.[1]?.toDate().toISOString(),
  };
}

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export default function AuditLogPage() {
  const { t, formatTime } = useI18n();
  const [form] = Form.useForm<Filters>();
  const [query, setQuery] = useState<Query>({});
  const list = usePagedList<AuditEntry>('/v1/audit-log', query, 'before');
  const [verifying, setVerifying] = useState(false);
  const [verification, setVerification] = useState<ChainVerification | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);

  const verify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerification(await api.get<ChainVerification>('/v1/audit-log/verify'));
    } catch (e) {
      setVerification(null);
      setVerifyError(problemText(e));
    } finally {
      setVerifying(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        testId="page-title"
        extra={
          <Button icon={<SafetyCertificateOutlined />} onClick={() => void verify()} loading={verifying} data-testid="audit-verify">
            {t('audit.verify')}
          </Button>
        }
      />
      {verification && (
        <Alert
          data-testid="audit-verify-result"
          data-ok={String(verification.ok)}
          type={verification.ok ? 'success' : 'error'}
          showIcon
          closable={{ onClose: () => setVerification(null) }}
          style={{ marginBottom: 16 }}
          title={
            verification.ok
              ? t('audit.verifyOk', { n: verification.entries })
              : t('audit.verifyBroken', { seq: verification.first_break?.seq ?? '?', kind: verification.first_break?.kind ?? '?' })
          }
        />
      )}
      {verifyError && <Alert type="error" showIcon title={verifyError} style={{ marginBottom: 16 }} />}
      <Form<Filters> form={form} layout="inline" className="filters" onFinish={(values) => setQuery(toQuery(values))} data-testid="audit-filters">
        <Form.Item name="action" label={t('audit.action')}>
          <AutoComplete
            data-testid="audit-filter-action"
            style={{ width: 200 }}
            allowClear
            options={knownActions.map((a) => ({ value: a }))}
            filterOption={(input, option) => (option?.value ?? '').includes(input)}
          />
        </Form.Item>
        <Form.Item name="actor_id" label={t('audit.actorId')}>
          <Input data-testid="audit-filter-actor" style={{ width: 200 }} allowClear placeholder="usr_… / key_…" />
        </Form.Item>
        <Form.Item name="target_type" label={t('audit.targetType')}>
          <AutoComplete style={{ width: 160 }} allowClear options={knownTargets.map((v) => ({ value: v }))} />
        </Form.Item>
        <Form.Item name="target_id" label={t('audit.targetId')}>
          <Input data-testid="audit-filter-target" style={{ width: 220 }} allowClear />
        </Form.Item>
        <Form.Item name="range" label={t('audit.range')}>
          <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item>
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">
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
          </Flex>
        </Form.Item>
      </Form>
      <LoadError error={list.error} />
      <Table<AuditEntry>
        data-testid="audit-table"
        rowKey="seq"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(e) => ({ ...rowTestId(`audit-row-${e.seq}`), 'data-action': e.action, 'data-target': e.target_id }) as ReturnType<typeof rowTestId>}
        expandable={{
          expandedRowRender: (e) => (
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('audit.before')}>
                <Json value={e.before} />
              </Descriptions.Item>
              <Descriptions.Item label={t('audit.after')}>
                <Json value={e.after} />
              </Descriptions.Item>
              <Descriptions.Item label={t('audit.requestId')}>{e.request_id ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('audit.hash')}>
                <code className="id">{e.hash}</code>
              </Descriptions.Item>
            </Descriptions>
          ),
        }}
        columns={[
          { title: '#', dataIndex: 'seq', width: 70 },
          { title: t('audit.time'), dataIndex: 'occurred_at', width: 190, render: (v: string) => formatTime(v) },
          {
            title: t('audit.actor'),
            key: 'actor',
            render: (_: unknown, e) => (
              <span title={e.actor_id}>
                {e.actor_label} <Tag>{e.actor_kind}</Tag>
              </span>
            ),
          },
          { title: t('audit.action'), dataIndex: 'action', render: (v: string) => <Tag color="geekblue">{v}</Tag> },
          {
            title: t('audit.target'),
            key: 'target',
            render: (_: unknown, e) => (
              <span>
                {e.target_type} <code className="id">{e.target_id}</code>
              </span>
            ),
          },
        ]}
        footer={() => <Typography.Text type="secondary">{t('audit.count', { n: list.items.length })}</Typography.Text>}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
    </>
  );
}
