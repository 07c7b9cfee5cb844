import { useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Form, Input, List, Modal, Progress, Radio, Row, Segmented, Space, Table, Tabs, Tag, Typography } from 'antd';
import { CheckOutlined, CloseOutlined, MergeCellsOutlined, StopOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { api } from '../api.js';
import { isMessageKey, useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { mergers, PersonSide, type MatchProfile, type Merge, type ReviewItem, type Suggestion, type SuggestionFeature } from '../components/identity.js';

// ID+ review: conflicts identity would not merge on its own (strong evidence and a contradiction), and
// suggested duplicates that share no strong identifier, each with the evidence behind its score.
// Accepting merges the pair; rejecting is remembered so the pair is not suggested again.

export default function IdentityReviewPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState('suggestions');
  return (
    <>
      <PageHeader title={t('identity.reviewTitle')} testId="page-title" />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'suggestions', label: <span data-testid="tab-suggestions">{t('identity.suggestions')}</span>, children: <Suggestions /> },
          { key: 'queue', label: <span data-testid="tab-queue">{t('identity.queue')}</span>, children: <ReviewQueue /> },
        ]}
      />
    </>
  );
}

function Profile({ profile }: { profile: MatchProfile }) {
  const { t } = useI18n();
  return (
    <Space direction="vertical" size={2}>
      <Link to={`/identity/persons?person=${profile.id}`}>
        <code className="id">{profile.id}</code>
      </Link>
      <Typography.Text strong>{profile.name ?? '—'}</Typography.Text>
      <Typography.Text type="secondary">
        {t('identity.birthday')}: {profile.birthday ?? '—'}
      </Typography.Text>
      <Typography.Text type="secondary">
        {t('common.phone')}: {profile.phones.length ? profile.phones.join(', ') : '—'}
      </Typography.Text>
      <Typography.Text type="secondary">
        {t('identity.address')}: {profile.address ?? '—'}
      </Typography.Text>
    </Space>
  );
}

function Explanation({ features }: { features: SuggestionFeature[] }) {
  const { t } = useI18n();
  return (
    <Table<SuggestionFeature>
      size="small"
      rowKey="feature"
      pagination={false}
      dataSource={features}
      columns={[
        { title: t('identity.featureColumn'), dataIndex: 'feature', render: (v: string) => {
            const key = `identity.feature.${v}`;
            return isMessageKey(key) ? t(key) : v;
          },
        },
        { title: t('identity.level'), dataIndex: 'level', render: (v: string) => <Tag>{v}</Tag> },
        {
          title: t('identity.evidence'),
          dataIndex: 'weight',
          render: (v: number) => <Typography.Text type={v > 0 ? 'success' : v < 0 ? 'danger' : 'secondary'}>{`${v > 0 ? '+' : ''}${v.toFixed(1)} bit`}</Typography.Text>,
        },
        {
          title: t('identity.share'),
          dataIndex: 'contribution',
          width: 160,
          render: (v: number) => <Progress percent={Math.round(Math.abs(v) * 100)} size="small" status={v < 0 ? 'exception' : 'normal'} showInfo />,
        },
        { title: t('identity.detail'), dataIndex: 'detail' },
      ]}
    />
  );
}

function Suggestions() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canDecide = hasRole(me, mergers);
  const list = usePagedList<Suggestion>('/v1/identity/suggestions');
  const [deciding, setDeciding] = useState<{ suggestion: Suggestion; action: 'accept' | 'reject' } | null>(null);

  return (
    <>
      <LoadError error={list.error} />
      <List<Suggestion>
        data-testid="suggestions"
        loading={list.loading}
        dataSource={list.items}
        locale={{ emptyText: <Empty description={t('identity.noSuggestions')} /> }}
        renderItem={(s) => (
          <Card
            size="small"
            style={{ marginBottom: 16 }}
            data-testid={`suggestion-${s.id}`}
            data-status={s.status}
            title={
              <Space>
                <Typography.Text>{t('identity.score')}</Typography.Text>
                <Tag color={s.score >= 0.9 ? 'green' : s.score >= 0.6 ? 'gold' : 'orange'}>{`${(s.score * 100).toFixed(1)}%`}</Tag>
                <StatusTag status={s.status} />
              </Space>
            }
            extra={
              canDecide &&
              s.status === 'open' && (
                <Space>
                  <Button type="primary" icon={<CheckOutlined />} onClick={() => setDeciding({ suggestion: s, action: 'accept' })} data-testid={`suggestion-accept-${s.id}`}>
                    {t('identity.accept')}
                  </Button>
                  <Button icon={<CloseOutlined />} onClick={() => setDeciding({ suggestion: s, action: 'reject' })} data-testid={`suggestion-reject-${s.id}`}>
                    {t('identity.reject')}
                  </Button>
                </Space>
              )
            }
          >
            <Row gutter={16} style={{ marginBottom: 12 }}>
              <Col span={12}>
                <Profile profile={s.first_person} />
              </Col>
              <Col span={12}>
                <Profile profile={s.second_person} />
              </Col>
            </Row>
            <Explanation features={s.explanation?.features ?? []} />
          </Card>
        )}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <Modal
        open={deciding !== null}
        title={deciding?.action === 'accept' ? t('identity.acceptTitle') : t('identity.rejectTitle')}
        width={900}
        onCancel={() => setDeciding(null)}
        destroyOnHidden
        footer={null}
      >
        {deciding && (
          <DecisionForm
            pair={[deciding.suggestion.first_person.id, deciding.suggestion.second_person.id]}
            action={deciding.action === 'accept' ? 'merge' : 'dismiss'}
            reasonRequired={false}
            onCancel={() => setDeciding(null)}
            onSubmit={async ({ reason, survivor_id }) => {
              const id = deciding.suggestion.id;
              if (deciding.action === 'accept') {
                await api.post<{ merge: Merge }>(`/v1/identity/suggestions/${id}/accept`, { ...(reason && { reason }), ...(survivor_id && { survivor_id }) });
                message.success(t('identity.mergedOk'));
              } else {
                await api.post<Suggestion>(`/v1/identity/suggestions/${id}/reject`, { ...(reason && { reason }) });
                message.success(t('identity.rejectedOk'));
              }
              setDeciding(null);
              void list.reload();
            }}
          />
        )}
      </Modal>
    </>
  );
}

/** Both sides, who survives, and a reason; shared by suggestions and the review queue. */
function DecisionForm({
  pair,
  action,
  reasonRequired,
  onCancel,
  onSubmit,
}: {
  pair: [string, string];
  action: 'merge' | 'dismiss';
  reasonRequired: boolean;
  onCancel(): void;
  onSubmit(values: { reason?: string; survivor_id?: string }): Promise<void>;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ survivor: string; reason?: string }>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async () => {
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit({ reason: v.reason?.trim() || undefined, survivor_id: action === 'merge' ? v.survivor : undefined });
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="decision-error" />}
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={12}>
          <PersonSide personId={pair[0]} title="A" />
        </Col>
        <Col span={12}>
          <PersonSide personId={pair[1]} title="B" />
        </Col>
      </Row>
      <Form form={form} layout="vertical" initialValues={{ survivor: pair[0] }}>
        {action === 'merge' && (
          <Form.Item name="survivor" label={t('identity.survivor')}>
            <Radio.Group
              options={[
                { value: pair[0], label: 'A' },
                { value: pair[1], label: 'B' },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item name="reason" label={t('identity.reason')} rules={[...(reasonRequired ? [{ required: true, whitespace: true, message: t('common.required') }] : []), { max: 500 }]}>
          <Input.TextArea rows={2} data-testid="decision-reason" />
        </Form.Item>
      </Form>
      <Space style={{ display: 'flex', justifyContent: 'flex-end' }}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" danger={action === 'merge'} loading={busy} onClick={() => void submit()} data-testid="decision-submit">
          {action === 'merge' ? t('identity.confirmMerge') : t('identity.dismiss')}
        </Button>
      </Space>
    </>
  );
}

interface DecisionView {
  outcome?: string;
  reasons?: string[];
  evidence?: { kind: string; value: string; strength: string }[];
  conflicts?: { kind: string; first: string[]; second: string[]; reason: string }[];
}

function ReviewQueue() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canDecide = hasRole(me, mergers);
  const [status, setStatus] = useState<string>('open');
  const list = usePagedList<ReviewItem>('/v1/identity/review-queue', { status });
  const [deciding, setDeciding] = useState<{ item: ReviewItem; action: 'merge' | 'dismiss' } | null>(null);

  return (
    <>
      <Segmented
        style={{ marginBottom: 16 }}
        value={status}
        onChange={(v) => setStatus(String(v))}
        options={['open', 'merged', 'dismissed'].map((s) => ({ value: s, label: <StatusTag status={s} /> }))}
      />
      <LoadError error={list.error} />
      <List<ReviewItem>
        data-testid="review-queue"
        loading={list.loading}
        dataSource={list.items}
        locale={{ emptyText: <Empty description={t('identity.queueEmpty')} /> }}
        renderItem={(item) => {
          const decision = (item.decision ?? {}) as DecisionView;
          return (
            <Card
              size="small"
              style={{ marginBottom: 16 }}
              data-testid={`review-${item.id}`}
              title={
                <Space wrap>
                  <StatusTag status={item.status} />
                  <Tag>{item.context}</Tag>
                  <Typography.Text type="secondary">{formatTime(item.created_at)}</Typography.Text>
                  <code className="id">{item.source}</code>
                </Space>
              }
              extra={
                canDecide &&
                item.status === 'open' && (
                  <Space>
                    <Button type="primary" icon={<MergeCellsOutlined />} onClick={() => setDeciding({ item, action: 'merge' })} data-testid={`review-merge-${item.id}`}>
                      {t('identity.merge')}
                    </Button>
                    <Button icon={<StopOutlined />} onClick={() => setDeciding({ item, action: 'dismiss' })} data-testid={`review-dismiss-${item.id}`}>
                      {t('identity.dismiss')}
                    </Button>
                  </Space>
                )
              }
            >
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <Typography.Text strong>{t('identity.why')}</Typography.Text>
                  <ul style={{ margin: '4px 0 8px', paddingLeft: 20 }}>
                    {(decision.reasons ?? []).map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                  {(decision.evidence ?? []).map((e) => (
                    <div key={`${e.kind}:${e.value}`}>
                      <Tag color="green">{e.kind}</Tag>
                      <code className="id">{e.value}</code>
                    </div>
                  ))}
                  {(decision.conflicts ?? []).map((c) => (
                    <div key={`${c.kind}:${c.reason}`}>
                      <Tag color="red">{c.kind}</Tag>
                      {c.reason}: <code className="id">{c.first.join(', ')}</code> ≠ <code className="id">{c.second.join(', ')}</code>
                    </div>
                  ))}
                </Col>
                <Col xs={24} md={12}>
                  <Space direction="vertical">
                    <Link to={`/identity/persons?person=${item.first_person_id}`}>
                      A <code className="id">{item.first_person_id}</code>
                    </Link>
                    <Link to={`/identity/persons?person=${item.second_person_id}`}>
                      B <code className="id">{item.second_person_id}</code>
                    </Link>
                    {item.resolution && <Typography.Text type="secondary">{item.resolution}</Typography.Text>}
                  </Space>
                </Col>
              </Row>
            </Card>
          );
        }}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <Modal open={deciding !== null} title={deciding?.action === 'merge' ? t('identity.mergeTitle') : t('identity.dismissTitle')} onCancel={() => setDeciding(null)} destroyOnHidden footer={null} width={900}>
        {deciding && (
          <DecisionForm
            pair={[deciding.item.first_person_id, deciding.item.second_person_id]}
            action={deciding.action}
            reasonRequired
            onCancel={() => setDeciding(null)}
            onSubmit={async ({ reason, survivor_id }) => {
              await api.post(`/v1/identity/review-queue/${deciding.item.id}/resolve`, { action: deciding.action, reason, ...(survivor_id && { survivor_id }) });
              message.success(deciding.action === 'merge' ? t('identity.mergedOk') : t('identity.rejectedOk'));
              setDeciding(null);
              void list.reload();
            }}
          />
        )}
      </Modal>
    </>
  );
}
