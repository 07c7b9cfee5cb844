import { useState } from 'react';
import { Select, Space, Typography } from 'antd';
import { useI18n } from '../i18n.js';
import { hasRole, useMe } from '../session.js';
import { PageHeader } from '../components/PageHeader.js';
import { membershipRoles } from '../components/membership.js';
import { CheckoutsTable } from '../components/membership-money.js';
import { codeText } from '../components/membership-ui.js';

// 消费记录: every checkout of the merchant (GET /v1/checkouts), newest first; each opens its receipt
// with the refund action (managers), as the member drawer's list does.

const statuses = ['completed', 'awaiting_payment', 'remainder_due', 'released', 'refunded'];

export default function CheckoutsPage() {
  const { t } = useI18n();
  const me = useMe();
  const [status, setStatus] = useState<string | undefined>(undefined);
  return (
    <>
      <PageHeader title={t('mmx.checkoutsTitle')} testId="page-title" />
      <Typography.Paragraph type="secondary">{t('mmx.checkoutsHint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('common.status')}
          style={{ width: 180 }}
          value={status}
          onChange={setStatus}
          data-testid="checkouts-filter-status"
          options={statuses.map((s) => ({ value: s, label: <span data-testid={`checkouts-status-${s}`}>{codeText(t, 'mmx.checkoutStatus', s)}</span> }))}
        />
      </Space>
      <CheckoutsTable memberId={null} status={status} canRefund={hasRole(me, membershipRoles.managers)} testId="checkouts-table" />
    </>
  );
}
