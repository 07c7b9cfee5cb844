import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { api, ApiError, type Me } from '../api.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { LocaleToggle } from '../components/LocaleToggle.js';
import { problemTitle } from '../components/problems.js';

interface Credentials {
  login: string;
  password: string;
}

export function LoginPage() {
  const { t } = useI18n();
  const { signedIn } = useSession();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ title: string; detail?: string | undefined } | null>(null);

  const submit = async (values: Credentials) => {
    setBusy(true);
    setProblem(null);
    try {
      signedIn(await api.post<Me>('/v1/auth/login', values));
    } catch (error) {
      setProblem(error instanceof ApiError ? { title: problemTitle(error), detail: error.detail } : { title: t('login.failed'), detail: String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page" data-testid="login-page">
      <div className="login-locale">
        <LocaleToggle />
      </div>
      <Card className="login-card">
        <div className="login-brand">
          <span className="brand-mark">+</span>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('app.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('app.subtitle')}</Typography.Text>
          </div>
        </div>
        <Typography.Title level={5}>{t('login.title')}</Typography.Title>
        {problem && (
          <Alert data-testid="login-error" type="error" showIcon title={problem.title} description={problem.detail} style={{ marginBottom: 16 }} />
        )}
        <Form<Credentials> layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="login" label={t('login.login')} rules={[{ required: true, message: t('common.required') }]}>
            <Input data-testid="login-username" prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('common.required') }]}>
            <Input.Password data-testid="login-password" prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button data-testid="login-submit" type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
