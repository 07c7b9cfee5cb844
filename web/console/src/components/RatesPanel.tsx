import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Descriptions, Form, Input, Space, Table, Typography } from 'antd';
import { api, request } from '../api.js';
import { useI18n } from '../i18n.js';
import { LoadError } from './PageHeader.js';
import { problemText } from './problems.js';
import { buttonTestId, rowTestId } from './testid.js';
import { formatPpm, parsePercentToPpm, type ChannelName } from './payments.js';
import { ChannelTag } from '../pages/Payments.js';

// One merchant's rates as the operator sees them (fee, channel cost, margin, the agent's share),
// editable per channel by operator admins; agents read them.

export interface MerchantRates {
  merchant_id: string;
  merchant_name: string;
  agent: { id: string; name: string; share_bps: number } | null;
  channels: { channel: ChannelName; fee_rate_ppm: number; cost_rate_ppm: number; margin_ppm: number; agent_ppm: number; status: string }[];
}

const ppmToPercentText = (ppm: number) => String(ppm / 10_000);

export function RatesPanel({ merchantId, canWrite }: { merchantId: string; canWrite: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [rates, setRates] = useState<MerchantRates | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<ChannelName | null>(null);
  const [form] = Form.useForm<{ fee: string; cost: string }>();

  const load = useCallback(async () => {
    try {
      setRates(await api.get<MerchantRates>(`/v1/operator/merchants/${merchantId}/payment-rates`));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [merchantId]);

  useEffect(() => {
    void load();
  }, [load]);

  const percent = [
    { required: true, message: t('common.required') },
    { validator: async (_r: unknown, value: string | undefined) => { if (value && parsePercentToPpm(value) === null) throw new Error(t('channels.rateInvalid')); } },
  ];

  const save = async (channel: ChannelName) => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await request('PUT', `/v1/operator/merchants/${merchantId}/payment-channels/${channel}/rates`, { fee_rate_ppm: parsePercentToPpm(v.fee), cost_rate_ppm: parsePercentToPpm(v.cost) });
      message.success(t('common.saved'));
      setEditing(null);
      await load();
    } catch (e) {
      message.error(problemText(e));
    }
  };

  return (
    <>
      <LoadError error={error} />
      {rates && (
        <>
          <Descriptions size="small" column={1} style={{ marginBottom: 12 }} data-testid="rates-agent">
            <Descriptions.Item label={t('rates.agent')}>
              {rates.agent ? `${rates.agent.name} · ${t('rates.agentShare')} ${rates.agent.share_bps / 100}%` : t('rates.noAgent')}
            </Descriptions.Item>
          </Descriptions>
          {rates.channels.length === 0 && <Alert type="info" showIcon title={t('channels.notConfigured')} />}
          <Form form={form} component={false}>
            <Table
              size="small"
              rowKey="channel"
              pagination={false}
              dataSource={rates.channels}
              data-testid="rates-table"
              onRow={(r) => rowTestId(`rates-row-${r.channel}`)}
              columns={[
                { title: t('payments.channel'), dataIndex: 'channel', render: (c: ChannelName) => <ChannelTag channel={c} /> },
                {
                  title: t('channels.feeRate'),
                  dataIndex: 'fee_rate_ppm',
                  render: (v: number, r) =>
                    editing === r.channel ? (
                      <Form.Item name="fee" rules={percent} style={{ margin: 0 }}>
                        <Input suffix="%" style={{ width: 110 }} data-testid="rates-edit-fee" />
                      </Form.Item>
                    ) : (
                      <span data-testid={`rates-fee-${r.channel}`}>{formatPpm(v)}</span>
                    ),
                },
                {
                  title: t('channels.costRate'),
                  dataIndex: 'cost_rate_ppm',
                  render: (v: number, r) =>
                    editing === r.channel ? (
                      <Form.Item name="cost" rules={percent} style={{ margin: 0 }}>
                        <Input suffix="%" style={{ width: 110 }} data-testid="rates-edit-cost" />
                      </Form.Item>
                    ) : (
                      <span data-testid={`rates-cost-${r.channel}`}>{formatPpm(v)}</span>
                    ),
                },
                { title: t('rates.margin'), dataIndex: 'margin_ppm', render: (v: number) => formatPpm(v) },
                { title: t('rates.agentPart'), dataIndex: 'agent_ppm', render: (v: number) => (rates.agent ? formatPpm(v) : '—') },
                ...(canWrite
                  ? [
                      {
                        title: t('common.actions'),
                        key: 'actions',
                        render: (_: unknown, r: MerchantRates['channels'][number]) =>
                          editing === r.channel ? (
                            <Space>
                              <Button type="primary" size="small" onClick={() => void save(r.channel)} {...buttonTestId('rates-save')}>
                                {t('common.save')}
                              </Button>
                              <Button size="small" onClick={() => setEditing(null)}>
                                {t('common.cancel')}
                              </Button>
                            </Space>
                          ) : (
                            <Button
                              size="small"
                              onClick={() => {
                                form.setFieldsValue({ fee: ppmToPercentText(r.fee_rate_ppm), cost: ppmToPercentText(r.cost_rate_ppm) });
                                setEditing(r.channel);
                              }}
                              {...buttonTestId(`rates-edit-${r.channel}`)}
                            >
                              {t('common.edit')}
                            </Button>
                          ),
                      },
                    ]
                  : []),
              ]}
            />
          </Form>
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            {t('rates.hint')}
          </Typography.Paragraph>
        </>
      )}
    </>
  );
}
