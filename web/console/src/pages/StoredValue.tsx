import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row, Select, Space, Table, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { api, ApiError, request } from '../api.js';
import { useI18n } from '../i18n.js';
import { LoadError, PageHeader } from '../components/PageHeader.js';
import { EChart } from '../components/EChart.js';
import { problemText } from '../components/problems.js';
import { formatFen, parseYuan, yuan } from '../components/payments.js';
import { bpsPercent, endedQuarters, useProgram, type EscrowReport, type Program } from '../components/membership.js';

// 储值: top-up plans (pay ¥1,000 get ¥1,100 — the bonus is tracked apart from the principal), the
// card cap and the escrow ratio, and the escrow report: outstanding principal at a quarter's end ×
// the ratio, with the last eight quarters in a chart.

export default function StoredValuePage() {
  const { t } = useI18n();
  const { program, error, setProgram } = useProgram();
  return (
    <>
      <PageHeader title={t('sv.title')} testId="page-title" />
      <LoadError error={error} />
      {program && (
        <Row gutter={16}>
          <Col xs={24} xl={11}>
            <PlansCard program={program} onSaved={setProgram} />
          </Col>
          <Col xs={24} xl={13}>
            <EscrowCard />
          </Col>
        </Row>
      )}
    </>
  );
}

interface PlansValues {
  plans: { pay: string; bonus: string }[];
  cap: string;
  escrow_percent: number;
}

function PlansCard({ program, onSaved }: { program: Program; onSaved(p: Program): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<PlansValues>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    form.setFieldsValue({
      plans: [...program.top_up_plans].sort((a, b) => a.pay_fen - b.pay_fen).map((p) => ({ pay: formatFen(p.pay_fen), bonus: formatFen(p.bonus_fen) })),
      cap: formatFen(program.stored_value_cap_fen),
      escrow_percent: program.escrow_ratio_bps / 100,
    });
  }, [program, form]);

  const yuanRule = { validator: async (_r: unknown, v: string | undefined) => (v && parseYuan(v) === null ? Promise.reject(new Error(t('payments.amountInvalid'))) : undefined) };

  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const plans = (v.plans ?? []).map((p) => ({ pay_fen: parseYuan(p.pay) ?? 0, bonus_fen: parseYuan(p.bonus) ?? 0 }));
      try {
        await request('PUT', '/v1/membership/top-up-plans', { items: plans });
      } catch (e) {
        // Servers without the plans resource keep them on the program.
        if (!(e instanceof ApiError && e.status === 404)) throw e;
        await api.patch<Program>('/v1/membership/program', { top_up_plans: plans });
      }
      const saved = await api.patch<Program>('/v1/membership/program', {
        stored_value_cap_fen: parseYuan(v.cap) ?? 0,
        escrow_ratio_bps: Math.round((v.escrow_percent ?? 0) * 100),
      });
      onSaved(saved);
      message.success(t('common.saved'));
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('sv.plans')} size="small" data-testid="topup-plans">
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="plans-error" />}
      <Typography.Paragraph type="secondary">{t('sv.plansHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.List name="plans">
          {(fields, { add, remove }) => (
            <>
              <Table
                size="small"
                rowKey="key"
                pagination={false}
                dataSource={fields}
                locale={{ emptyText: t('sv.noPlans') }}
                data-testid="plans-table"
                columns={[
                  { title: t('sv.pay'), key: 'pay', render: (_: unknown, f) => <Form.Item name={[f.name, 'pay']} noStyle rules={[{ required: true }, yuanRule]}><Input prefix="¥" style={{ width: 140 }} data-testid={`plan-pay-${f.name}`} /></Form.Item> },
                  { title: t('sv.bonus'), key: 'bonus', render: (_: unknown, f) => <Form.Item name={[f.name, 'bonus']} noStyle rules={[{ required: true }, yuanRule]}><Input prefix="¥" style={{ width: 140 }} data-testid={`plan-bonus-${f.name}`} /></Form.Item> },
                  {
                    title: t('sv.cardGets'),
                    key: 'gets',
                    render: (_: unknown, f) => (
                      <Form.Item noStyle shouldUpdate>
                        {() => {
                          const row = form.getFieldValue(['plans', f.name]) as { pay?: string; bonus?: string } | undefined;
                          const total = (parseYuan(row?.pay ?? '') ?? 0) + (parseYuan(row?.bonus ?? '') ?? 0);
                          return <span data-testid={`plan-total-${f.name}`}>{yuan(total)}</span>;
                        }}
                      </Form.Item>
                    ),
                  },
                  { title: '', key: 'remove', render: (_: unknown, f) => <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} data-testid={`plan-remove-${f.name}`} /> },
                ]}
              />
              <Button icon={<PlusOutlined />} style={{ marginTop: 8 }} onClick={() => add({ pay: '', bonus: '0.00' })} data-testid="plan-add">
                {t('sv.addPlan')}
              </Button>
            </>
          )}
        </Form.List>
        <Space size="large" style={{ marginTop: 16 }} wrap>
          <Form.Item name="cap" label={t('sv.cap')} extra={t('sv.capHint')} rules={[{ required: true }, yuanRule]}>
            <Input prefix="¥" style={{ width: 160 }} data-testid="sv-cap" />
          </Form.Item>
          <Form.Item name="escrow_percent" label={t('sv.escrowRatio')} extra={t('sv.escrowRatioHint')}>
            <InputNumber min={0} max={100} step={5} suffix="%" data-testid="sv-escrow-ratio" />
          </Form.Item>
        </Space>
        <div>
          <Button type="primary" onClick={() => void save()} loading={busy} data-testid="plans-save">
            {t('common.save')}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function EscrowCard() {
  const { t, formatTime } = useI18n();
  const quarters = useMemo(() => endedQuarters(new Date(), 8), []);
  const [quarter, setQuarter] = useState(quarters[0]!);
  const [reports, setReports] = useState<EscrowReport[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    Promise.all([...quarters].reverse().map((q) => api.get<EscrowReport>('/v1/membership/stored-value/escrow-report', { quarter: q })))
      .then((r) => live && setReports(r))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [quarters]);

  const current = reports?.find((r) => r.quarter === quarter);
  const option = useMemo(
    () =>
      reports
        ? {
            // Values stay integer fen; only the labels turn them into yuan.
            tooltip: { trigger: 'axis', valueFormatter: (v: number) => yuan(v) },
            legend: { data: [t('sv.outstanding'), t('sv.required')] },
            grid: { left: 64, right: 16, top: 36, bottom: 28 },
            xAxis: { type: 'category', data: reports.map((r) => r.quarter) },
            yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatFen(v) } },
            series: [
              { name: t('sv.outstanding'), type: 'bar', data: reports.map((r) => r.outstanding_principal_fen), itemStyle: { color: '#1f8bff' } },
              { name: t('sv.required'), type: 'line', data: reports.map((r) => r.required_escrow_fen), itemStyle: { color: '#fa8c16' } },
            ],
          }
        : {},
    [reports, t],
  );

  return (
    <Card
      title={t('sv.escrow')}
      size="small"
      extra={<Select value={quarter} onChange={setQuarter} style={{ width: 120 }} data-testid="escrow-quarter" options={quarters.map((q) => ({ value: q, label: <span data-testid={`quarter-option-${q}`}>{q}</span> }))} />}
    >
      <LoadError error={error} />
      {current && (
        <Descriptions size="small" column={2} bordered data-testid="escrow-report" data-quarter={current.quarter} data-required-fen={current.required_escrow_fen} data-outstanding-fen={current.outstanding_principal_fen}>
          <Descriptions.Item label={t('sv.asOf')}>{formatTime(current.as_of)}</Descriptions.Item>
          <Descriptions.Item label={t('sv.cards')}>{current.accounts}</Descriptions.Item>
          <Descriptions.Item label={t('sv.outstanding')}>{yuan(current.outstanding_principal_fen)}</Descriptions.Item>
          <Descriptions.Item label={t('sv.outstandingBonus')}>{yuan(current.outstanding_bonus_fen)}</Descriptions.Item>
          <Descriptions.Item label={t('sv.escrowRatio')}>{bpsPercent(current.ratio_bps)}</Descriptions.Item>
          <Descriptions.Item label={t('sv.required')}>
            <Typography.Text strong data-testid="escrow-required">
              {yuan(current.required_escrow_fen)}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      )}
      <EChart option={option} height={280} testId="escrow-chart" />
    </Card>
  );
}
