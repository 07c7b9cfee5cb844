import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Col, Empty, Flex, Form, Input, Modal, Popconfirm, Row, Select, Space, Spin, Typography } from 'antd';
import { DownloadOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, merchantManagers, useMe } from '../session.js';
import { LoadError, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { problemText } from '../components/problems.js';
import { buttonTestId } from '../components/testid.js';
import { useStores, type QrCode } from '../components/payments.js';

// 一码付: the store's static QR codes (one per store, one per cashier desk). Both WeChat and Alipay
// open the same URL; the H5 page picks the channel. Codes download as PNG/SVG and print with the
// store name (the SVG the server renders carries it).

/** Roles the API lets create and disable codes (payment_qr_codes.write). */
const writers = [...merchantManagers, 'store_manager'];

/** Same-origin paths, so the session cookie goes along whatever PUBLIC_URL says. */
const imagePath = (qr: QrCode, format: 'png' | 'svg') => `/v1/qr-codes/${qr.id}.${format}`;

/** Prints the printable SVG alone, from a hidden frame, so the console's layout is not printed. */
function printQr(qr: QrCode, title: string): void {
  const frame = document.createElement('iframe');
  frame.style.position = 'fixed';
  frame.style.width = '0';
  frame.style.height = '0';
  frame.style.border = '0';
  document.body.appendChild(frame);
  const doc = frame.contentDocument;
  if (!doc) return;
  doc.open();
  doc.write(
    `<!doctype html><html><head><meta charset="utf-8"><title>${title.replace(/[<>&]/g, '')}</title><style>@page{margin:12mm}body{margin:0;display:flex;justify-content:center}img{width:90mm}</style></head><body><img src="${imagePath(qr, 'svg')}"></body></html>`,
  );
  doc.close();
  const image = doc.querySelector('img');
  const go = () => {
    frame.contentWindow?.focus();
    frame.contentWindow?.print();
    setTimeout(() => frame.remove(), 60_000);
  };
  if (image && !image.complete) image.addEventListener('load', go, { once: true });
  else go();
}

export default function QrCodesPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const canWrite = hasRole(me, writers);
  const { stores } = useStores();
  const [storeId, setStoreId] = useState<string | undefined>();
  const [codes, setCodes] = useState<QrCode[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ desk?: string; label?: string }>();

  useEffect(() => {
    if (!storeId && stores[0]) setStoreId(stores[0].id);
  }, [stores, storeId]);

  const load = useCallback(async (id: string) => {
    setLoading(true);
    try {
      setCodes((await api.get<{ items: QrCode[] }>(`/v1/stores/${id}/qr-codes`)).items);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (storeId) void load(storeId);
  }, [storeId, load]);

  const create = async () => {
    if (!storeId) return;
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    setBusy(true);
    try {
      await api.post<QrCode>(`/v1/stores/${storeId}/qr-codes`, {
        ...(values.desk?.trim() && { desk: values.desk.trim() }),
        ...(values.label?.trim() && { label: values.label.trim() }),
      });
      message.success(t('qr.created'));
      setCreating(false);
      void load(storeId);
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (qr: QrCode, status: 'active' | 'disabled') => {
    try {
      const updated = await api.patch<QrCode>(`/v1/qr-codes/${qr.id}`, { status });
      setCodes((list) => list.map((c) => (c.id === updated.id ? updated : c)));
    } catch (e) {
      message.error(problemText(e));
    }
  };

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      message.success(t('common.copied'));
    } catch {
      message.warning(t('common.copyFailed'));
    }
  };

  const storeName = stores.find((s) => s.id === storeId)?.name ?? '';

  return (
    <>
      <PageHeader
        title={t('qr.title')}
        testId="page-title"
        extra={
          <>
            <Select
              style={{ width: 240 }}
              value={storeId}
              onChange={setStoreId}
              data-testid="qr-store"
              options={stores.map((s) => ({ value: s.id, label: <span data-testid={`store-option-${s.id}`}>{s.name}</span> }))}
            />
            {canWrite && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                disabled={!storeId}
                onClick={() => {
                  form.resetFields();
                  setCreating(true);
                }}
                data-testid="qr-create"
              >
                {t('qr.create')}
              </Button>
            )}
          </>
        }
      />
      <Typography.Paragraph type="secondary">{t('qr.hint')}</Typography.Paragraph>
      <LoadError error={error} />
      <Spin spinning={loading}>
        {codes.length === 0 && !loading ? (
          <Card>
            <Empty description={t('qr.empty')} />
          </Card>
        ) : (
          <Row gutter={[16, 16]} data-testid="qr-list">
            {codes.map((qr) => (
              <Col key={qr.id} xs={24} md={12} xl={8}>
                <Card
                  data-testid={`qr-card-${qr.id}`}
                  data-status={qr.status}
                  title={qr.label ?? qr.desk ?? t('qr.wholeStore')}
                  extra={<StatusTag status={qr.status} />}
                  actions={[
                    <a key="png" href={imagePath(qr, 'png')} download={`${qr.id}.png`} data-testid={`qr-png-${qr.id}`}>
                      <DownloadOutlined /> PNG
                    </a>,
                    <a key="svg" href={imagePath(qr, 'svg')} download={`${qr.id}.svg`} data-testid={`qr-svg-${qr.id}`}>
                      <DownloadOutlined /> SVG
                    </a>,
                    <a key="print" onClick={() => printQr(qr, storeName)} data-testid={`qr-print-${qr.id}`}>
                      <PrinterOutlined /> {t('qr.print')}
                    </a>,
                  ]}
                >
                  <Flex vertical align="center" gap={12}>
                    <img src={imagePath(qr, 'svg')} alt={storeName} style={{ width: 220, maxWidth: '100%', opacity: qr.status === 'active' ? 1 : 0.35 }} data-testid={`qr-image-${qr.id}`} />
                    <Typography.Text type="secondary">
                      {t('qr.desk')}: {qr.desk ?? t('qr.wholeStore')} · {formatTime(qr.created_at)}
                    </Typography.Text>
                    <Space.Compact style={{ width: '100%' }}>
                      <Input readOnly value={qr.url} data-testid={`qr-url-${qr.id}`} />
                      <Button onClick={() => void copy(qr.url)}>{t('common.copy')}</Button>
                    </Space.Compact>
                    {canWrite &&
                      (qr.status === 'active' ? (
                        <Popconfirm title={t('qr.disableConfirm')} okText={t('common.confirm')} cancelText={t('common.cancel')} onConfirm={() => setStatus(qr, 'disabled')}>
                          <Button size="small" danger data-testid={`qr-disable-${qr.id}`}>
                            {t('qr.disable')}
                          </Button>
                        </Popconfirm>
                      ) : (
                        <Button size="small" onClick={() => void setStatus(qr, 'active')} data-testid={`qr-enable-${qr.id}`}>
                          {t('qr.enable')}
                        </Button>
                      ))}
                  </Flex>
                </Card>
              </Col>
            ))}
          </Row>
        )}
      </Spin>
      <Modal
        open={creating}
        title={t('qr.create')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        okButtonProps={buttonTestId('qr-save')}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="desk" label={t('qr.desk')} extra={t('qr.deskHelp')} rules={[{ max: 40 }]}>
            <Input data-testid="qr-desk" placeholder={t('qr.deskPlaceholder')} />
          </Form.Item>
          <Form.Item name="label" label={t('qr.label')} rules={[{ max: 80 }]}>
            <Input data-testid="qr-label" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
