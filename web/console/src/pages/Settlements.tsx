import { useEffect, useMemo, useState } from 'react';
import { Card, Col, DatePicker, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { useMe } from '../session.js';
import { EChart } from '../components/EChart.js';
import { LoadError, PageHeader } from '../components/PageHeader.js';
import { addDays, formatFen, shanghaiToday, useStores, yuan, type Figures, type MerchantStatement, type OperatorStatement } from '../components/payments.js';
import { ChannelTag } from './Payments.js';

// 结算: the merchant's daily statements (gross, refunds, fees, net) and, for the operator and agents,
// per-merchant figures and agent commission (分润). All sums arrive in fen from the API, computed there
// by one rounding rule; the page only formats them (charts plot yuan as exact 2-decimal strings).

const operatorRoles = ['operator_admin', 'agent'];

/** ECharts takes numbers; "12.34" parses back to the same two decimals it was formatted from. */
const chartYuan = (fen: number) => Number(formatFen(fen));

// ECharts 6 puts the legend at the bottom by default, over the axis labels; statements draw without
// animation so a chart never shows a half-grown bar.
const chartBase = { animation: false, legend: { top: 0 }, tooltip: { trigger: 'axis' } };

const zero: Figures = { payment_count: 0, refund_count: 0, gross_fen: 0, refunds_fen: 0, fees_fen: 0, cost_fen: 0, net_fen: 0, margin_fen: 0 };

/** Every day of the range, with zeros on days without payments (the API lists only active days). */
function everyDay(from: string, to: string, items: { date: string; figures: Figures }[]): { date: string; figures: Figures }[] {
  const byDate = new Map(items.map((d) => [d.date, d.figures]));
  const out: { date: string; figures: Figures }[] = [];
  for (let date = from; date <= to && out.length < 400; date = addDays(date, 1)) out.push({ date, figures: byDate.get(date) ?? zero });
  return out;
}

export default function SettlementsPage() {
  const me = useMe();
  return me.role !== null && operatorRoles.includes(me.role) ? <OperatorSettlements /> : <MerchantSettlements />;
}

function FigureCards({ figures, extra = [] }: { figures: Figures; extra?: { label: string; fen: number; testId: string }[] }) {
  const { t } = useI18n();
  const cards = [
    { label: t('settlements.gross'), fen: figures.gross_fen, testId: 'total-gross' },
    { label: t('settlements.refunds'), fen: figures.refunds_fen, testId: 'total-refunds' },
    { label: t('settlements.fees'), fen: figures.fees_fen, testId: 'total-fees' },
    { label: t('settlements.net'), fen: figures.net_fen, testId: 'total-net' },
    ...extra,
  ];
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
      {cards.map((c) => (
        <Col key={c.testId} xs={12} md={8} xl={Math.max(4, Math.floor(24 / cards.length))}>
          <Card size="small">
            <Statistic title={c.label} value={formatFen(c.fen)} prefix="¥" data-testid={c.testId} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

function useFigureColumns() {
  const { t } = useI18n();
  const money = (title: string, key: keyof Figures) => ({ title, dataIndex: ['figures', key], align: 'right' as const, render: (v: number) => yuan(v) });
  return [
    { title: t('settlements.payments'), dataIndex: ['figures', 'payment_count'], align: 'right' as const },
    money(t('settlements.gross'), 'gross_fen'),
    money(t('settlements.refunds'), 'refunds_fen'),
    money(t('settlements.fees'), 'fees_fen'),
    money(t('settlements.net'), 'net_fen'),
  ];
}

function MerchantSettlements() {
  const { t } = useI18n();
  const today = shanghaiToday();
  const [range, setRange] = useState<[string, string]>([addDays(today, -13), today]);
  const [day, setDay] = useState(today);
  const [series, setSeries] = useState<{ date: string; figures: Figures }[]>([]);
  const [statement, setStatement] = useState<MerchantStatement | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { storeName } = useStores();
  const figureColumns = useFigureColumns();

  useEffect(() => {
    let live = true;
    api
      .get<{ items: { date: string; figures: Figures }[] }>('/v1/settlements/daily', { from: range[0], to: range[1] })
      .then((r) => live && setSeries(everyDay(range[0], range[1], r.items)))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [range]);

  useEffect(() => {
    let live = true;
    api
      .get<MerchantStatement>('/v1/settlements', { date: day })
      .then((s) => live && setStatement(s))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [day]);

  const option = useMemo(
    () => ({
      ...chartBase,
      grid: { left: 48, right: 24, top: 48, bottom: 32 },
      xAxis: { type: 'category', data: series.map((d) => d.date.slice(5)) },
      yAxis: { type: 'value', name: '¥' },
      series: [
        { name: t('settlements.gross'), type: 'bar', data: series.map((d) => chartYuan(d.figures.gross_fen)), itemStyle: { color: '#0b6bcb' } },
        { name: t('settlements.refunds'), type: 'bar', data: series.map((d) => chartYuan(d.figures.refunds_fen)), itemStyle: { color: '#fa8c16' } },
        { name: t('settlements.fees'), type: 'bar', data: series.map((d) => chartYuan(d.figures.fees_fen)), itemStyle: { color: '#8c8c8c' } },
        { name: t('settlements.net'), type: 'line', data: series.map((d) => chartYuan(d.figures.net_fen)), itemStyle: { color: '#52c41a' } },
      ],
    }),
    [series, t],
  );

  return (
    <>
      <PageHeader
        title={t('settlements.title')}
        testId="page-title"
        extra={
          <DatePicker.RangePicker
            allowClear={false}
            value={[dayjs(range[0]), dayjs(range[1])]}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0].format('YYYY-MM-DD'), v[1].format('YYYY-MM-DD')])}
            data-testid="settlements-range"
          />
        }
      />
      <LoadError error={error} />
      <Card title={t('settlements.daily')} size="small" style={{ marginBottom: 16 }}>
        <EChart option={option} height={300} testId="settlements-chart" />
      </Card>
      <Card
        size="small"
        title={t('settlements.statementOf', { date: day })}
        extra={<DatePicker allowClear={false} value={dayjs(day)} onChange={(v: Dayjs | null) => v && setDay(v.format('YYYY-MM-DD'))} data-testid="settlements-day" />}
      >
        {statement && (
          <>
            <FigureCards figures={statement.totals} />
            <Row gutter={16}>
              <Col xs={24} xl={12}>
                <Typography.Title level={5}>{t('settlements.byChannel')}</Typography.Title>
                <Table
                  data-testid="statement-by-channel"
                  size="small"
                  rowKey="channel"
                  pagination={false}
                  dataSource={statement.by_channel}
                  columns={[{ title: t('payments.channel'), dataIndex: 'channel', render: (v: string) => <ChannelTag channel={v} /> }, ...figureColumns]}
                />
              </Col>
              <Col xs={24} xl={12}>
                <Typography.Title level={5}>{t('settlements.byStore')}</Typography.Title>
                <Table
                  data-testid="statement-by-store"
                  size="small"
                  rowKey="store_id"
                  pagination={false}
                  dataSource={statement.by_store}
                  columns={[{ title: t('payments.store'), dataIndex: 'store_id', render: (v: string) => storeName(v) }, ...figureColumns]}
                />
              </Col>
            </Row>
          </>
        )}
      </Card>
      <Table
        style={{ marginTop: 16 }}
        data-testid="settlements-daily-table"
        size="small"
        rowKey="date"
        pagination={false}
        dataSource={series.filter((d) => d.figures.payment_count || d.figures.refund_count).reverse()}
        onRow={(d) => ({ onClick: () => setDay(d.date), style: { cursor: 'pointer' } })}
        columns={[{ title: t('settlements.date'), dataIndex: 'date' }, ...figureColumns, { title: t('settlements.refundCount'), dataIndex: ['figures', 'refund_count'], align: 'right' }]}
      />
    </>
  );
}

function OperatorSettlements() {
  const { t } = useI18n();
  const me = useMe();
  const today = shanghaiToday();
  const [day, setDay] = useState(today);
  const [statement, setStatement] = useState<OperatorStatement | null>(null);
  const [trend, setTrend] = useState<OperatorStatement[]>([]);
  const [error, setError] = useState<unknown>(null);
  const figureColumns = useFigureColumns();

  useEffect(() => {
    let live = true;
    api
      .get<OperatorStatement>('/v1/operator/settlements', { date: day })
      .then((s) => live && setStatement(s))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [day]);

  // The statement is per day; a week of them draws the commission trend.
  useEffect(() => {
    let live = true;
    const days = Array.from({ length: 7 }, (_, i) => addDays(day, i - 6));
    Promise.all(days.map((date) => api.get<OperatorStatement>('/v1/operator/settlements', { date })))
      .then((list) => live && setTrend(list))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [day]);

  const merchantOption = useMemo(() => {
    const rows = statement?.merchants ?? [];
    return {
      ...chartBase,
      grid: { left: 48, right: 24, top: 48, bottom: 48 },
      xAxis: { type: 'category', data: rows.map((m) => m.merchant_name), axisLabel: { interval: 0, overflow: 'truncate', width: 120 } },
      yAxis: { type: 'value', name: '¥' },
      series: [
        { name: t('settlements.gross'), type: 'bar', data: rows.map((m) => chartYuan(m.figures.gross_fen)) },
        { name: t('settlements.fees'), type: 'bar', data: rows.map((m) => chartYuan(m.figures.fees_fen)) },
        { name: t('settlements.margin'), type: 'bar', data: rows.map((m) => chartYuan(m.figures.margin_fen)) },
        { name: t('settlements.commission'), type: 'bar', data: rows.map((m) => chartYuan(m.agent_commission_fen)) },
      ],
    };
  }, [statement, t]);

  const trendOption = useMemo(
    () => ({
      ...chartBase,
      grid: { left: 48, right: 24, top: 48, bottom: 32 },
      xAxis: { type: 'category', data: trend.map((s) => s.date.slice(5)) },
      yAxis: { type: 'value', name: '¥' },
      series: [
        { name: t('settlements.margin'), type: 'line', data: trend.map((s) => chartYuan(s.totals.margin_fen)) },
        { name: t('settlements.commission'), type: 'line', data: trend.map((s) => chartYuan(s.totals.agent_commission_fen)) },
        { name: t('settlements.operatorKeeps'), type: 'line', data: trend.map((s) => chartYuan(s.totals.operator_keeps_fen)) },
      ],
    }),
    [trend, t],
  );

  return (
    <>
      <PageHeader
        title={t(me.role === 'agent' ? 'settlements.agentTitle' : 'settlements.operatorTitle')}
        testId="page-title"
        extra={<DatePicker allowClear={false} value={dayjs(day)} onChange={(v: Dayjs | null) => v && setDay(v.format('YYYY-MM-DD'))} data-testid="settlements-day" />}
      />
      <LoadError error={error} />
      {statement && (
        <FigureCards
          figures={statement.totals}
          extra={[
            { label: t('settlements.margin'), fen: statement.totals.margin_fen, testId: 'total-margin' },
            { label: t('settlements.commission'), fen: statement.totals.agent_commission_fen, testId: 'total-commission' },
          ]}
        />
      )}
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('settlements.byMerchant')} style={{ marginBottom: 16 }}>
            <EChart option={merchantOption} height={300} testId="settlements-merchant-chart" />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('settlements.commissionTrend')} style={{ marginBottom: 16 }}>
            <EChart option={trendOption} height={300} testId="settlements-trend-chart" />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('settlements.byMerchant')} style={{ marginBottom: 16 }}>
        <Table
          data-testid="operator-merchants"
          size="small"
          rowKey="merchant_id"
          pagination={false}
          dataSource={statement?.merchants ?? []}
          columns={[
            { title: t('merchants.title'), dataIndex: 'merchant_name' },
            ...figureColumns,
            { title: t('settlements.cost'), dataIndex: ['figures', 'cost_fen'], align: 'right', render: (v: number) => yuan(v) },
            { title: t('settlements.margin'), dataIndex: ['figures', 'margin_fen'], align: 'right', render: (v: number) => yuan(v) },
            { title: t('settlements.commission'), dataIndex: 'agent_commission_fen', align: 'right', render: (v: number) => yuan(v) },
          ]}
        />
      </Card>
      <Card size="small" title={t('settlements.byAgent')}>
        <Table
          data-testid="operator-agents"
          size="small"
          rowKey="agent_id"
          pagination={false}
          dataSource={statement?.agents ?? []}
          columns={[
            { title: t('merchants.agent'), dataIndex: 'agent_name' },
            { title: t('agents.share'), dataIndex: 'share_bps', render: (v: number) => <Tag>{`${formatFen(v)}%`}</Tag> },
            { title: t('settlements.merchantCount'), dataIndex: 'merchant_count', align: 'right' },
            { title: t('settlements.margin'), dataIndex: 'margin_fen', align: 'right', render: (v: number) => yuan(v) },
            { title: t('settlements.commission'), dataIndex: 'commission_fen', align: 'right', render: (v: number) => <Space><Typography.Text strong>{yuan(v)}</Typography.Text></Space> },
          ]}
        />
      </Card>
    </>
  );
}
