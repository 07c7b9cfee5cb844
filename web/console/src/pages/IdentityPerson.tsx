import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Col, Descriptions, Drawer, Empty, Flex, Form, Input, Modal, Popconfirm, Radio, Row, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { MergeCellsOutlined, SearchOutlined, UndoOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { isMessageKey, useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import { MergeShortfalls } from '../components/MergeShortfalls.js';
import { identifierKinds, identityWriters, KindTag, mergers, MovesTags, PersonSide, StrengthTag, type Identifier, type Merge, type Person, type PersonSummary } from '../components/identity.js';

// ID+ persons: find a person by any identifier (or open one from a payment), and see everything
// identity knows: identifiers with where each came from, the history of links and merges, and the
// merges themselves, which staff with permission can undo. Manual merges need a reason and a second
// look at both sides before they happen.

interface SearchForm {
  identifier_kind?: string;
  identifier_value?: string;
}

const personIdPattern = /^per_[0-9a-z]{26}$/;

export default function IdentityPersonsPage() {
  const { t, formatTime } = useI18n();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<SearchForm>();
  const [query, setQuery] = useState<Record<string, string | undefined>>({});
  const list = usePagedList<PersonSummary>('/v1/identity/persons', query);
  const openId = params.get('person');

  const open = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('person', id);
    else next.delete('person');
    setParams(next);
  };

  return (
    <>
      <PageHeader title={t('identity.personsTitle')} testId="page-title" />
      <Form<SearchForm>
        form={form}
        layout="inline"
        className="filters"
        data-testid="identity-search"
        onFinish={(v) => {
          const value = v.identifier_value?.trim();
          if (value && personIdPattern.test(value)) return open(value);
          setQuery(value ? { identifier_kind: v.identifier_kind, identifier_value: value } : {});
        }}
      >
        <Form.Item name="identifier_kind" label={t('identity.kind')}>
          <Select allowClear style={{ width: 200 }} data-testid="identity-search-kind" options={identifierKinds.map((k) => ({ value: k, label: <KindTag kind={k} /> }))} />
        </Form.Item>
        <Form.Item name="identifier_value" label={t('identity.value')} extra={t('identity.searchHelp')}>
          <Input style={{ width: 320 }} allowClear data-testid="identity-search-value" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="identity-search-submit">
            {t('common.search')}
          </Button>
        </Form.Item>
      </Form>
      <LoadError error={list.error} />
      <Table<PersonSummary>
        data-testid="persons-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(p) => ({ ...rowTestId(`person-row-${p.id}`), onClick: () => open(p.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('common.id'), dataIndex: 'id', render: (v: string) => <code className="id">{v}</code> },
          { title: t('identity.name'), dataIndex: 'display_name', render: (v: string | null) => v ?? '—' },
          {
            title: t('identity.identifiers'),
            dataIndex: 'identifiers',
            render: (ids: Identifier[]) => (
              <Space size={[4, 4]} wrap>
                {ids.map((i) => (
                  <KindTag key={i.id} kind={i.kind} />
                ))}
              </Space>
            ),
          },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v} /> },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <Drawer open={openId !== null} onClose={() => open(null)} size={920} title={t('identity.panelTitle')} data-testid="person-drawer" destroyOnHidden>
        {openId && <IdentityPanel personId={openId} onOpen={open} />}
      </Drawer>
    </>
  );
}

/** The identity panel of one person; the member page embeds the same panel. */
export function IdentityPanel({ personId, onOpen }: { personId: string; onOpen(id: string): void }) {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canMerge = hasRole(me, mergers);
  const canWrite = hasRole(me, identityWriters);
  const [person, setPerson] = useState<Person | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [merging, setMerging] = useState(false);
  const [unmerging, setUnmerging] = useState<Merge | null>(null);

  const load = useCallback(async () => {
    try {
      setPerson(await api.get<Person>(`/v1/identity/persons/${personId}`));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [personId]);
  useEffect(() => {
    void load();
  }, [load]);

  const unlink = async (identifier: Identifier) => {
    if (!person) return;
    try {
      await api.delete(`/v1/identity/persons/${person.id}/identifiers/${identifier.id}`);
      message.success(t('identity.unlinked'));
      void load();
    } catch (e) {
      message.error(problemText(e));
    }
  };

  if (error) return <LoadError error={error} />;
  if (!person) return null;
  const eventLabel = (event: string) => {
    const key = `identity.event.${event}`;
    return isMessageKey(key) ? t(key) : event;
  };

  return (
    <div data-testid="identity-panel" data-person-id={person.id}>
      {person.requested_id !== person.id && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('identity.followed', { from: person.requested_id, to: person.id })} data-testid="identity-followed" />
      )}
      <Flex justify="space-between" align="start" style={{ marginBottom: 16 }} wrap gap={8}>
        <Descriptions size="small" column={2} bordered style={{ flex: 1 }}>
          <Descriptions.Item label={t('common.id')}>
            <code data-testid="identity-person-id">{person.id}</code>
          </Descriptions.Item>
          <Descriptions.Item label={t('common.status')}>
            <StatusTag status={person.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t('identity.name')}>{person.display_name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('identity.birthday')}>{person.birthday ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('identity.address')} span={2}>
            {person.address ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('identity.sources')} span={2}>
            <Space size={[4, 4]} wrap data-testid="identity-sources">
              {person.sources.map((s) => (
                <Tag key={s}>{s}</Tag>
              ))}
            </Space>
          </Descriptions.Item>
        </Descriptions>
        {canMerge && person.status === 'active' && (
          <Button icon={<MergeCellsOutlined />} onClick={() => setMerging(true)} data-testid="identity-merge">
            {t('identity.merge')}
          </Button>
        )}
      </Flex>

      <Typography.Title level={5}>{t('identity.identifiers')}</Typography.Title>
      <Table<Identifier>
        data-testid="identity-identifiers"
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={person.identifiers}
        onRow={(i) => ({ ...rowTestId(`identifier-row-${i.id}`), 'data-kind': i.kind }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('identity.kind'), dataIndex: 'kind', render: (v: string) => <KindTag kind={v} /> },
          { title: t('identity.value'), dataIndex: 'value', render: (v: string) => <Typography.Text code style={{ wordBreak: 'break-all' }}>{v}</Typography.Text> },
          { title: t('identity.strength'), dataIndex: 'strength', render: (v: string, i) => <Space size={4}><StrengthTag strength={v} />{i.verified && <Tag color="green">{t('identity.verified')}</Tag>}</Space> },
          { title: t('identity.source'), dataIndex: 'source', render: (v: string) => <code className="id">{v}</code> },
          { title: t('identity.lastSeen'), dataIndex: 'last_seen_at', render: (v: string, i) => <span title={`${t('identity.firstSeen')}: ${formatTime(i.first_seen_at)}`}>{formatTime(v)}</span> },
          ...(canWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, i: Identifier) => (
                    <Popconfirm title={t('identity.unlinkConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => unlink(i)}>
                      <Button size="small" danger>
                        {t('identity.unlink')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />

      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('identity.merges')}
      </Typography.Title>
      <Table<Merge>
        data-testid="identity-merges"
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={person.merges}
        locale={{ emptyText: t('identity.noMerges') }}
        onRow={(m) => rowTestId(`merge-row-${m.id}`)}
        columns={[
          { title: t('audit.time'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
          { title: t('identity.survivor'), dataIndex: 'survivor_id', render: (v: string) => <Typography.Link onClick={() => onOpen(v)}><code className="id">{v}</code></Typography.Link> },
          { title: t('identity.absorbed'), dataIndex: 'absorbed_id', render: (v: string) => <code className="id">{v}</code> },
          { title: t('identity.mergeKind'), dataIndex: 'kind', render: (v: string) => <Tag>{v}</Tag> },
          { title: t('identity.reason'), dataIndex: 'reason' },
          { title: t('identity.moved'), key: 'moves', render: (_: unknown, m) => <MovesTags moves={m.moves ?? []} testId={`merge-moves-${m.id}`} /> },
          {
            title: t('common.status'),
            key: 'state',
            render: (_: unknown, m) => (m.unmerged_at ? <Tag title={m.unmerge_reason ?? ''}>{t('identity.unmerged')}</Tag> : <Tag color="blue">{t('identity.mergedTag')}</Tag>),
          },
          ...(canMerge
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, m: Merge) =>
                    !m.unmerged_at && (
                      <Button size="small" icon={<UndoOutlined />} onClick={() => setUnmerging(m)} data-testid={`unmerge-${m.id}`}>
                        {t('identity.unmerge')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
      {/* What undone merges could not give back (membership), with settle / write-off. */}
      <MergeShortfalls mergeIds={person.merges.filter((m) => m.unmerged_at).map((m) => m.id)} />

      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('identity.history')}
      </Typography.Title>
      {person.history.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Timeline
          data-testid="identity-history"
          items={person.history.map((h) => ({
            key: h.id,
            color: h.event === 'merged' || h.event === 'absorbed' ? 'blue' : h.event === 'unmerged' || h.event === 'restored' ? 'orange' : h.event === 'unlinked' ? 'red' : 'green',
            content: (
              <div data-testid={`history-${h.event}`}>
                <Space size={8} wrap>
                  <Typography.Text strong>{eventLabel(h.event)}</Typography.Text>
                  <Typography.Text type="secondary">{formatTime(h.occurred_at)}</Typography.Text>
                  {h.context && <Tag>{h.context}</Tag>}
                  <Typography.Text type="secondary">
                    {h.actor_kind}:{h.actor_id}
                  </Typography.Text>
                </Space>
                {h.reason && <div>{t('identity.reason')}: {h.reason}</div>}
                <HistoryDetail detail={h.detail} />
              </div>
            ),
          }))}
        />
      )}

      <MergeModal
        person={person}
        open={merging}
        onClose={() => setMerging(false)}
        onDone={(survivorId) => {
          setMerging(false);
          if (survivorId !== person.id) onOpen(survivorId);
          else void load();
        }}
      />
      <UnmergeModal
        merge={unmerging}
        onClose={() => setUnmerging(null)}
        onDone={() => {
          setUnmerging(null);
          void load();
        }}
      />
    </div>
  );
}

function HistoryDetail({ detail }: { detail: unknown }) {
  if (!detail || typeof detail !== 'object') return null;
  const d = detail as Record<string, unknown>;
  const parts = Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`);
  return parts.length ? <Typography.Text type="secondary" style={{ wordBreak: 'break-all' }}>{parts.join(' · ')}</Typography.Text> : null;
}

function MergeModal({ person, open, onClose, onDone }: { person: Person; open: boolean; onClose(): void; onDone(survivorId: string): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ other_id: string; survivor: 'this' | 'other'; reason: string }>();
  const [step, setStep] = useState<'pick' | 'confirm'>('pick');
  const [other, setOther] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (open) {
      form.resetFields();
      setStep('pick');
      setOther(null);
      setProblem(null);
    }
  }, [open, form]);

  const next = async () => {
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    if (step === 'pick') {
      setOther(v.other_id.trim());
      setStep('confirm');
      return;
    }
    if (!other) return;
    const survivorId = v.survivor === 'this' ? person.id : other;
    const absorbedId = v.survivor === 'this' ? other : person.id;
    setBusy(true);
    setProblem(null);
    try {
      const merge = await api.post<Merge>('/v1/identity/merges', { survivor_id: survivorId, absorbed_id: absorbedId, reason: v.reason.trim() });
      message.success(t('identity.mergedOk'));
      onDone(merge.survivor_id);
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('identity.mergeTitle')}
      okText={step === 'pick' ? t('identity.compare') : t('identity.confirmMerge')}
      okButtonProps={{ ...buttonTestId('merge-submit'), danger: step === 'confirm' }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void next()}
      onCancel={onClose}
      width={step === 'confirm' ? 900 : 560}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="merge-error" />}
      <Form form={form} layout="vertical" initialValues={{ survivor: 'this' }}>
        <Form.Item
          name="other_id"
          label={t('identity.otherPerson')}
          hidden={step !== 'pick'}
          rules={[
            { required: true, message: t('common.required') },
            { pattern: personIdPattern, message: 'per_…' },
            { validator: async (_r, v: string | undefined) => { if (v?.trim() === person.id) throw new Error(t('identity.samePerson')); } },
          ]}
        >
          <Input placeholder="per_…" data-testid="merge-other" />
        </Form.Item>
        {step === 'confirm' && other && (
          <>
            <Alert type="warning" showIcon title={t('identity.mergeWarning')} style={{ marginBottom: 16 }} />
            <Row gutter={16} style={{ marginBottom: 16 }}>
              <Col span={12}>
                <PersonSide personId={person.id} title={t('identity.thisPerson')} />
              </Col>
              <Col span={12}>
                <PersonSide personId={other} title={t('identity.otherPerson')} testId="merge-other-side" />
              </Col>
            </Row>
            <Form.Item name="survivor" label={t('identity.survivor')}>
              <Radio.Group
                options={[
                  { value: 'this', label: t('identity.keepThis') },
                  { value: 'other', label: t('identity.keepOther') },
                ]}
              />
            </Form.Item>
          </>
        )}
        <Form.Item name="reason" label={t('identity.reason')} hidden={step !== 'confirm'} rules={step === 'confirm' ? [{ required: true, whitespace: true, message: t('common.required') }, { max: 500 }] : []}>
          <Input.TextArea rows={2} data-testid="merge-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function UnmergeModal({ merge, onClose, onDone }: { merge: Merge | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async () => {
    if (!merge) return;
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.post<Merge>(`/v1/identity/merges/${merge.id}/unmerge`, { reason: v.reason.trim() });
      message.success(t('identity.unmergedOk'));
      form.resetFields();
      onDone();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={merge !== null}
      title={t('identity.unmergeTitle')}
      okText={t('identity.unmerge')}
      okButtonProps={{ ...buttonTestId('unmerge-submit'), danger: true }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} />}
      {merge && <Typography.Paragraph>{t('identity.unmergeHint', { survivor: merge.survivor_id, absorbed: merge.absorbed_id })}</Typography.Paragraph>}
      {merge && (
        <div style={{ marginBottom: 16 }}>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{t('identity.unmergeMoves')}</Typography.Paragraph>
          <MovesTags moves={merge.moves ?? []} testId="unmerge-moves" />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            {t('identity.unmergeShortfall')}
          </Typography.Paragraph>
        </div>
      )}
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label={t('identity.reason')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 500 }]}>
          <Input.TextArea rows={2} data-testid="unmerge-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
