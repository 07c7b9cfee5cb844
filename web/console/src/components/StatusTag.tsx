import { Tag } from 'antd';
import { useCodeLabel } from '../i18n.js';

const colors: Record<string, string> = {
  active: 'green',
  enabled: 'green',
  delivered: 'green',
  succeeded: 'green',
  pending: 'gold',
  locked: 'orange',
  suspended: 'orange',
  disabled: 'default',
  closed: 'default',
  revoked: 'default',
  failed: 'red',
  dead: 'red',
  created: 'default',
  paying: 'gold',
  late_paid: 'magenta',
  processing: 'gold',
  open: 'gold',
  merged: 'blue',
  accepted: 'green',
  dismissed: 'default',
  rejected: 'default',
  stale: 'default',
};

export function StatusTag({ status }: { status: string }) {
  const label = useCodeLabel();
  return (
    <Tag color={colors[status] ?? 'default'} data-status={status}>
      {label('status', status)}
    </Tag>
  );
}
