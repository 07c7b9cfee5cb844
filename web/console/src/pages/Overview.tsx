import { useEffect, useMemo, useState } from 'react';
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { api, fetchAll, type ApiKey, type AuditEntry, type Page } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { EChart } from '../components/EChart.js';
import { LoadError } from '../components/PageHeader.js';

const days = 14;

/** The last `days` calendar days in the browser's time zone, oldest first, as YYYY-MM-DD. */
function lastDays(now: Date): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - i);
    out.push(dayKey(d));
  }
  return out;
}

function dayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

interface Stat {
  readonly label: MessageKey;
  readonly value: number;
}

async function auditSince(from: Date): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let before: string | null = null;
  // Ten pages of 200 is plenty for a small dashboard; a busy merchant gets the insights module.
  for (let i = 0; i < 10; i++) {
    const page: Page<AuditEntry> = await api.get<Page<AuditEntry>>('/v1/audit-log', { from: from.toISOString(), limit: 200, before });
    out.push(...page.items);
    if (!page.next_cursor) break;
    before = page.next_cursor;
  }
  return out;
}

export default function OverviewPage() {
  const { t } = useI18n();
  const me = useMe();
  const [stats, setStats] = useState<Stat[]>([]);
  const [audit, setAudit] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canReadAudit = hasRole(me, ['operator_admin', 'merchant_owner', 'merchant_admin']);

  useEffect(() => {
    let live = true;
    const load = async () => {
      const next: Stat[] = [];
      if (me.merchant_id) {
        next.push({ label: 'overview.stores', value: (await fetchAll('/v1/stores')).length });
        if (hasRole(me, ['merchant_owner', 'merchant_admin', 'store_manager'])) next.push({ label: 'overview.staff', value: (await fetchAll('/v1/staff')).length });
        if (hasRole(me, ['merchant_owner', 'merchant_admin'])) {
          const keys = (await api.get<{ items: ApiKey[] }>('/v1/api-keys')).items;
          next.push({ label: 'overview.apiKeys', value: keys.filter((k) => !k.revoked_at).length });
        }
      } else {
        next.push({ label: 'overview.merchants', value: (await fetchAll('/v1/merchants')).length });
        if (hasRole(me, ['operator_admin'])) next.push({ label: 'overview.agents', value: (await fetchAll('/v1/agents')).length });
      }
      if (live) setStats(next);
      if (canReadAudit) {
        const now = new Date();
        const entries = await auditSince(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1)));
        if (live) setAudit(entries);
      }
    };
    load().catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [me, canReadAudit]);

  const option = useMemo(() => {
    const keys = lastDays(new Date());
    const counts = new Map(keys.map((k) => [k, 0]));
    for (const e of audit ?? []) {
      const k = dayKey(new Date(e.occurred_at));
      if (counts.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return {
      color: ['#0b6bcb'],
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 16, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: keys.map((k) => k.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('overview.auditSeries'), type: 'bar', barMaxWidth: 28, data: keys.map((k) => counts.get(k) ?? 0) }],
    };
  }, [audit, t]);

  return (
    <>
      <Typography.Title level={3} data-testid="page-title">
        {t('overview.welcome', { name: me.label })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('overview.chainNext')}</Typography.Paragraph>
      <LoadError error={error} />
      <Row gutter={[16, 16]}>
        {stats.map((s) => (
          <Col key={s.label} xs={24} sm={12} lg={6}>
            <Card>
              <Statistic title={t(s.label)} value={s.value} />
            </Card>
          </Col>
        ))}
      </Row>
      {canReadAudit && (
        <Card title={t('overview.auditChart')} style={{ marginTop: 16 }} loading={audit === null && !error}>
          <EChart option={option} testId="overview-chart" />
        </Card>
      )}
    </>
  );
}
