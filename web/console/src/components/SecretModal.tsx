import { Alert, App, Button, Modal } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n.js';

/** Shows a secret the server will never return again (API key, webhook signing secret). */
export function SecretModal({ secret, title, warning, onClose }: { secret: string | null; title: string; warning: string; onClose(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret ?? '');
      message.success(t('common.copied'));
    } catch {
      message.warning(t('common.copyFailed'));
    }
  };
  return (
    <Modal
      open={secret !== null}
      title={title}
      onCancel={onClose}
      mask={{ closable: false }}
      footer={
        <Button type="primary" onClick={onClose} data-testid="secret-close">
          {t('common.close')}
        </Button>
      }
    >
      <Alert type="warning" showIcon title={warning} style={{ marginBottom: 16 }} />
      <div className="secret-box">
        <div data-testid="secret-value" className="secret-value">
          {secret}
        </div>
        <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="secret-copy">
          {t('common.copy')}
        </Button>
      </div>
    </Modal>
  );
}
