import { useState } from 'react';
import { Alert, App, Form, Input, Modal } from 'antd';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { problemText } from './problems.js';
import { buttonTestId } from './testid.js';

interface Values {
  current_password: string;
  new_password: string;
  confirm: string;
}

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setProblem(null);
    try {
      await api.post('/v1/auth/password', { current_password: values.current_password, new_password: values.new_password });
      message.success(t('password.changed'));
      form.resetFields();
      onClose();
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('password.title')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={() => {
        setProblem(null);
        form.resetFields();
        onClose();
      }}
      destroyOnHidden
      okButtonProps={buttonTestId('password-submit')}
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="password-error" />}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="current_password" label={t('password.current')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item name="new_password" label={t('password.new')} extra={t('password.rule')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['new_password']}
          rules={[
            { required: true, message: t('common.required') },
            ({ getFieldValue }) => ({
              validator: (_rule, value) => (value === getFieldValue('new_password') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
