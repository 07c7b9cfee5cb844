import { useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Card, DatePicker, Descriptions, Drawer, Form, Input, Modal, Radio, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { ReconciliationOutlined, UploadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../api.js';
import { isMessageKey, useI18n } from '../i18n.js';
import { LoadError, LoadMore, PageHeader } from '../components/PageHeader.js';
import { usePagedList } from '../components/usePagedList.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import { addDays, channels, shanghaiToday, yuan, type ChannelName, type Reconciliation, type ReconciliationDetail, type ReconciliationLine } from '../components/payments.js';
import { ChannelTag } from './Payments.js';

// 对账: import a channel's daily bill (downloaded from the channel, an uploaded file — Alipay's zip,
// WeChat's gzip or the CSV in GBK or UTF-8 — or pasted text) and match it against
// local payments and refunds. Each mismatch is a line to resolve: query the channel and apply its
// answer, or mark it explained with a note.

interface RunForm {
  channel: ChannelName;
  date: Dayjs;
}

/** What the API takes (12 MB of base64); larger bills are refused before reading them. */
const maxBillBytes = 8_900_000;

/** Bytes to base64 in slices (String.fromCharCode on a whole file overflows the call stack). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const lineColours: Record<string, string> = { missing_locally: 'red', missing_at_channel: 'volcano', amount_mismatch: 'magenta', status_mismatch: 'orange', late_success: 'gold' };
const resolutionColours: Record<string, string> = { open: 'gold', fixed: 'green', explained: 'blue' };

export default function ReconciliationPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RunForm>();
  const [source, setSource] = useState<'channel' | 'file' | 'text'>('channel');
  const [billFile, setBillFile] = useState<{ name: string; base64: string; size: number } | null>(null);
  const [pasted, setPasted] = useState('');
  const [running, setRunning] = useState(false);
  const list = usePagedList<Reconciliation>('/v1/reconciliations');
  const [open, setOpen] = useState<ReconciliationDetail | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async () => {
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setRunning(true);
    try {
      // The bill as the channel delivers it goes up as bytes (the server detects zip / gzip and GBK / UTF-8).
      const bill = source === 'file' ? (billFile ? { bill_file_base64: billFile.base64 } : null) : source === 'text' ? (pasted.trim() ? { bill_text: pasted } : null) : {};
      if (bill === null) {
        message.error(t(source === 'file' ? 'reconx.fileMissing' : 'reconx.textMissing'));
        return;
      }
      const result = await api.post<ReconciliationDetail>('/v1/reconciliations', { channel: v.channel, date: v.date.format('YYYY-MM-DD'), ...bill });
      message.success(t('recon.done', { n: result.mismatches }));
      setOpen(result);
      void list.reload();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setRunning(false);
    }
  };

  const show = async (r: Reconciliation) => {
    try {
      setOpen(await api.get<ReconciliationDetail>(`/v1/reconciliations/${r.id}`));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <PageHeader title={t('recon.title')} testId="page-title" />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form<RunForm> form={form} layout="inline" className="filters" initialValues={{ channel: 'wechatpay', date: dayjs(addDays(shanghaiToday(), -1)) }}>
          <Form.Item name="channel" label={t('payments.channel')}>
            <Select style={{ width: 140 }} data-testid="recon-channel" options={channels.map((c) => ({ value: c, label: <span data-testid={`channel-option-${c}`}>{t(`channel.${c}`)}</span> }))} />
          </Form.Item>
          <Form.Item name="date" label={t('settlements.date')} rules={[{ required: true, message: t('common.required') }]}>
            <DatePicker allowClear={false} data-testid="recon-date" />
          </Form.Item>
          <Form.Item label={t('recon.source')}>
            <Radio.Group value={source} onChange={(e) => setSource(e.target.value as 'channel' | 'file' | 'text')} optionType="button">
              <Radio value="channel"><span data-testid="recon-source-channel">{t('reconx.fromChannel')}</span></Radio>
              <Radio value="file"><span data-testid="recon-source-file">{t('reconx.fromFile')}</span></Radio>
              <Radio value="text"><span data-testid="recon-source-text">{t('reconx.fromText')}</span></Radio>
            </Radio.Group>
          </Form.Item>
          {source === 'file' && (
            <Form.Item extra={t('reconx.fileHelp')}>
              <Space>
                <Upload
                  accept=".csv,.txt,.zip,.gz,.gzip"
                  showUploadList={false}
                  beforeUpload={async (file) => {
                    if (file.size > maxBillBytes) {
                      message.error(t('reconx.fileTooLarge'));
                      return false;
                    }
                    setBillFile({ name: file.name, base64: toBase64(new Uint8Array(await file.arrayBuffer())), size: file.size });
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined />} data-testid="recon-file-choose">
                    {t('recon.chooseFile')}
                  </Button>
                </Upload>
                {billFile && (
                  <Tag closable onClose={() => setBillFile(null)} data-testid="recon-file-name">
                    {billFile.name} · {(billFile.size / 1024).toFixed(1)} KB
                  </Tag>
                )}
              </Space>
            </Form.Item>
          )}
          <Form.Item>
            <Button type="primary" icon={<ReconciliationOutlined />} loading={running} onClick={() => void run()} data-testid="recon-run">
              {t('recon.run')}
            </Button>
          </Form.Item>
        </Form>
        {source === 'text' && (
          <Input.TextArea
            style={{ marginTop: 12, fontFamily: 'monospace' }}
            rows={6}
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            placeholder={t('reconx.textHelp')}
            spellCheck={false}
            data-testid="recon-text"
          />
        )}
      </Card>
      <LoadError error={list.error ?? error} />
      <Table<Reconciliation>
        data-testid="recon-table"
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        onRow={(r) => ({ ...rowTestId(`recon-row-${r.id}`), onClick: () => void show(r), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('settlements.date'), dataIndex: 'date' },
          { title: t('payments.channel'), dataIndex: 'channel', render: (v: string) => <ChannelTag channel={v} /> },
          { title: t('recon.source'), dataIndex: 'source' },
          { title: t('recon.records'), dataIndex: 'bill_records', align: 'right' },
          { title: t('recon.matched'), dataIndex: 'matched', align: 'right' },
          { title: t('recon.mismatches'), dataIndex: 'mismatches', align: 'right', render: (v: number) => (v ? <Tag color="red">{v}</Tag> : <Tag color="green">0</Tag>) },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
        ]}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      <ReconciliationDrawer detail={open} onClose={() => setOpen(null)} onLine={(line) => setOpen((d) => (d ? { ...d, lines: d.lines.map((l) => (l.id === line.id ? line : l)) } : d))} />
    </>
  );
}

function ReconciliationDrawer({ detail, onClose, onLine }: { detail: ReconciliationDetail | null; onClose(): void; onLine(line: ReconciliationLine): void }) {
  const { t, formatTime } = useI18n();
  const [resolving, setResolving] = useState<ReconciliationLine | null>(null);
  const label = (prefix: 'recon.kind' | 'recon.resolution', code: string) => {
    const key = `${prefix}.${code}`;
    return isMessageKey(key) ? t(key) : code;
  };
  const amount = (v: number | null) => (v === null ? '—' : yuan(v));

  return (
    <Drawer open={detail !== null} onClose={onClose} size={1000} title={t('recon.detailTitle')} data-testid="recon-drawer">
      {detail && (
        <>
          <Descriptions size="small" column={3} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('settlements.date')}>{detail.date}</Descriptions.Item>
            <Descriptions.Item label={t('payments.channel')}>
              <ChannelTag channel={detail.channel} />
            </Descriptions.Item>
            <Descriptions.Item label={t('recon.source')}>{detail.source}</Descriptions.Item>
            <Descriptions.Item label={t('recon.records')}>{detail.bill_records}</Descriptions.Item>
            <Descriptions.Item label={t('recon.matched')}>{detail.matched}</Descriptions.Item>
            <Descriptions.Item label={t('recon.mismatches')}>{detail.mismatches}</Descriptions.Item>
          </Descriptions>
          {detail.lines.length === 0 && <Alert type="success" showIcon title={t('recon.allMatched')} data-testid="recon-all-matched" />}
          {detail.lines.length > 0 && (
            <Table<ReconciliationLine>
              data-testid="recon-lines"
              rowKey="id"
              size="small"
              pagination={false}
              scroll={{ x: 900 }}
              dataSource={detail.lines}
              onRow={(l) => ({ ...rowTestId(`recon-line-${l.id}`), 'data-resolution': l.resolution }) as HTMLAttributes<HTMLElement>}
              columns={[
                { title: t('recon.kindColumn'), dataIndex: 'kind', render: (v: string) => <Tag color={lineColours[v] ?? 'default'}>{label('recon.kind', v)}</Tag> },
                {
                  title: t('payments.outTradeNo'),
                  key: 'no',
                  render: (_: unknown, l) => (
                    <Space direction="vertical" size={0}>
                      <code className="id">{l.out_trade_no}</code>
                      {l.out_refund_no && <code className="id">↩ {l.out_refund_no}</code>}
                    </Space>
                  ),
                },
                { title: t('recon.local'), key: 'local', render: (_: unknown, l) => `${amount(l.local_amount_fen)} · ${l.local_status ?? '—'}` },
                { title: t('recon.channelSide'), key: 'channel', render: (_: unknown, l) => `${amount(l.channel_amount_fen)} · ${l.channel_status ?? '—'}` },
                {
                  title: t('recon.resolutionColumn'),
                  key: 'resolution',
                  render: (_: unknown, l) => (
                    <Space direction="vertical" size={0}>
                      <Tag color={resolutionColours[l.resolution] ?? 'default'}>{label('recon.resolution', l.resolution)}</Tag>
                      {l.note && <Typography.Text type="secondary">{l.note}</Typography.Text>}
                      {l.resolved_at && <Typography.Text type="secondary">{formatTime(l.resolved_at)}</Typography.Text>}
                    </Space>
                  ),
                },
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, l) =>
                    l.resolution === 'open' && (
                      <Button size="small" onClick={() => setResolving(l)} data-testid={`recon-resolve-${l.id}`}>
                        {t('recon.resolve')}
                      </Button>
                    ),
                },
              ]}
            />
          )}
          <ResolveModal
            reconciliationId={detail.id}
            line={resolving}
            onClose={() => setResolving(null)}
            onDone={(line) => {
              setResolving(null);
              onLine(line);
            }}
          />
        </>
      )}
    </Drawer>
  );
}

function ResolveModal({ reconciliationId, line, onClose, onDone }: { reconciliationId: string; line: ReconciliationLine | null; onClose(): void; onDone(line: ReconciliationLine): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ action: 'query_and_fix' | 'mark_explained'; note: string }>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async () => {
    if (!line) return;
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      onDone(await api.post<ReconciliationLine>(`/v1/reconciliations/${reconciliationId}/lines/${line.id}/resolve`, { action: v.action, note: v.note.trim() }));
      form.resetFields();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={line !== null}
      title={t('recon.resolve')}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      okButtonProps={buttonTestId('recon-resolve-submit')}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" initialValues={{ action: 'query_and_fix', note: '' }}>
        <Form.Item name="action" label={t('recon.action')}>
          <Radio.Group
            options={[
              { value: 'query_and_fix', label: t('recon.queryAndFix') },
              { value: 'mark_explained', label: t('recon.markExplained') },
            ]}
          />
        </Form.Item>
        <Form.Item name="note" label={t('recon.note')} rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 500 }]}>
          <Input.TextArea rows={3} data-testid="recon-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
