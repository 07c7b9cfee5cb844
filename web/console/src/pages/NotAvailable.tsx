import { Button, Result } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '../i18n.js';
import type { SectionDef } from '../pages.js';

/** A link of the chain whose pages are not built yet. */
export function NotAvailable({ section }: { section: SectionDef }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      data-testid="not-available"
      icon={<ClockCircleOutlined />}
      title={t('notAvailable.title')}
      subTitle={t('notAvailable.subtitle', { section: t(section.label) })}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('back.home')}
        </Button>
      }
    />
  );
}
