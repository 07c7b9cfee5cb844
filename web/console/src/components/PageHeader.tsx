import type { ReactNode } from 'react';
import { Alert, Button, Flex, Typography } from 'antd';
import { useI18n } from '../i18n.js';
import { problemText } from './problems.js';

export function PageHeader({ title, extra, testId }: { title: string; extra?: ReactNode; testId?: string }) {
  return (
    <Flex justify="space-between" align="center" className="page-header" wrap gap={12}>
      <Typography.Title level={3} style={{ margin: 0 }} data-testid={testId}>
        {title}
      </Typography.Title>
      <Flex gap={8} wrap>
        {extra}
      </Flex>
    </Flex>
  );
}

export function LoadError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return <Alert type="error" showIcon title={t('common.error')} description={problemText(error)} style={{ marginBottom: 16 }} data-testid="load-error" />;
}

export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick(): void }) {
  const { t } = useI18n();
  if (!hasMore) return null;
  return (
    <Flex justify="center" style={{ marginTop: 16 }}>
      <Button onClick={onClick} loading={loading} data-testid="load-more">
        {t('common.loadMore')}
      </Button>
    </Flex>
  );
}
