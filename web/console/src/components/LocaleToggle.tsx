import { Button } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n.js';

export function LocaleToggle({ ghost = false }: { ghost?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  return (
    <Button
      data-testid="locale-toggle"
      type={ghost ? 'text' : 'default'}
      icon={<GlobalOutlined />}
      onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
    >
      {t('locale.toggle')}
    </Button>
  );
}
