import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Input, Modal, Radio, Row, Select, Space, Spin, Switch, Table, Tag, Typography } from 'antd';
import { EditOutlined, SafetyOutlined } from '@ant-design/icons';
import { api, ApiError, fetchAll, request, type Merchant } from '../api.js';
import { useI18n } from '../i18n.js';
import { hasRole, merchantManagers, useMe } from '../session.js';
import { LoadError, PageHeader } from '../components/PageHeader.js';
import { StatusTag } from '../components/StatusTag.js';
import { problemText } from '../components/problems.js';
import { buttonTestId, rowTestId } from '../components/testid.js';
import type { MerchantRates } from '../components/RatesPanel.js';
import { channels, formatPpm, parsePercentToPpm, type ChannelAccount, type ChannelName, type OperatorChannel } from '../components/payments.js';
import { ChannelTag } from './Payments.js';

// Channel configuration. The API never returns a secret (private keys, the APIv3 key): the page shows
// identifiers, certificate serials and public-key ids, and a fingerprint per secret so staff can tell
// which key is installed. Secrets are typed in, sent once, and never shown again.

/** Identifiers and public keys as label/value rows; PEM blocks are shortened (they are public, but long). */
function configRows(config: Record<string, unknown>, prefix = ''): { key: string; value: string }[] {
  const rows: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(config)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) rows.push(...configRows(value as Record<string, unknown>, name));
    else if (Array.isArray(value)) value.forEach((v, i) => rows.push(...(v && typeof v === 'object' ? configRows(v as Record<string, unknown>, `${name}[${i}]`) : [{ key: `${name}[${i}]`, value: String(v) }])));
    else {
      const text = String(value);
      rows.push({ key: name, value: text.startsWith('-----BEGIN') ? `${text.split('\n')[0]} … (${text.length} B)` : text });
    }
  }
  return rows;
}

function AccountFacts({ config, fingerprints, testId }: { config: Record<string, unknown>; fingerprints: Record<string, string>; testId: string }) {
  const { t } = useI18n();
  return (
    <>
      <Descriptions size="small" column={1} bordered data-testid={`${testId}-config`}>
        {configRows(config).map((row) => (
          <Descriptions.Item key={row.key} label={<code>{row.key}</code>}>
            <Typography.Text style={{ wordBreak: 'break-all' }}>{row.value}</Typography.Text>
          </Descriptions.Item>
        ))}
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        <SafetyOutlined /> {t('channels.secrets')}
      </Typography.Title>
      <Descriptions size="small" column={1} bordered data-testid={`${testId}-fingerprints`}>
        {Object.entries(fingerprints).map(([key, fingerprint]) => (
          <Descriptions.Item key={key} label={<code>{key}</code>}>
            <Space>
              <Tag color="default">{t('channels.hidden')}</Tag>
              <code className="id">{fingerprint}</code>
            </Space>
          </Descriptions.Item>
        ))}
      </Descriptions>
    </>
  );
}

export default function PaymentChannelsPage() {
  const me = useMe();
  return me.role === 'operator_admin' ? <OperatorChannels /> : <MerchantChannels />;
}

function MerchantChannels() {
  const { t, formatTime } = useI18n();
  const me = useMe();
  const canWrite = hasRole(me, merchantManagers);
  const [accounts, setAccounts] = useState<ChannelAccount[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<ChannelName | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setAccounts((await api.get<{ items: ChannelAccount[] }>('/v1/payment-channels')).items);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <PageHeader title={t('channels.title')} testId="page-title" />
      <Typography.Paragraph type="secondary">{t('channels.hint')}</Typography.Paragraph>
      <LoadError error={error} />
      <Spin spinning={loading}>
        <Row gutter={[16, 16]}>
          {channels.map((channel) => {
            const account = accounts.find((a) => a.channel === channel);
            return (
              <Col key={channel} xs={24} xl={12}>
                <Card
                  data-testid={`channel-card-${channel}`}
                  data-configured={String(Boolean(account))}
                  title={
                    <Space>
                      <ChannelTag channel={channel} />
                      {account && <StatusTag status={account.status} />}
                      {account && <Tag color={account.environment === 'sandbox' ? 'gold' : 'green'}>{t(account.environment === 'sandbox' ? 'channels.sandbox' : 'channels.production')}</Tag>}
                    </Space>
                  }
                  extra={
                    canWrite && (
                      <Button icon={<EditOutlined />} onClick={() => setEditing(channel)} data-testid={`channel-edit-${channel}`}>
                        {account ? t('common.edit') : t('channels.configure')}
                      </Button>
                    )
                  }
                >
                  {!account ? (
                    <Empty description={t('channels.notConfigured')} />
                  ) : (
                    <>
                      <Descriptions size="small" column={2} style={{ marginBottom: 16 }}>
                        <Descriptions.Item label={t('channels.mode')}>{account.mode}</Descriptions.Item>
                        <Descriptions.Item label={t('channels.updatedAt')}>{formatTime(account.updated_at)}</Descriptions.Item>
                        <Descriptions.Item label={t('channels.feeRate')}>
                          <span data-testid={`channel-fee-${channel}`}>{formatPpm(account.fee_rate_ppm)}</span>
                        </Descriptions.Item>
                        <Descriptions.Item label={t('channels.notifyUrl')} span={2}>
                          <Typography.Text code copyable style={{ wordBreak: 'break-all' }}>
                            {account.notify_url}
                          </Typography.Text>
                        </Descriptions.Item>
                      </Descriptions>
                      <AccountFacts config={account.config} fingerprints={account.secret_fingerprints} testId={`channel-${channel}`} />
                    </>
                  )}
                </Card>
              </Col>
            );
          })}
        </Row>
      </Spin>
      <ChannelForm
        channel={editing}
        current={accounts.find((a) => a.channel === editing) ?? null}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void load();
        }}
      />
    </>
  );
}

interface KeyValues {
  merchant_serial_no?: string;
  merchant_private_key?: string;
  api_v3_key?: string;
  platform_mode?: 'public_key' | 'platform_certificate';
  public_key_id?: string;
  public_key?: string;
  base_url?: string;
  app_private_key?: string;
  alipay_public_key?: string;
  gateway_url?: string;
  /** Web OAuth on the H5 pay page (docs/decisions/0010): WeChat appid + AppSecret, Alipay authorize URL. */
  oauth_enabled?: boolean;
  oauth_appid?: string;
  oauth_app_secret?: string;
  oauth_authorize_url?: string;
  oauth_api_base_url?: string;
}

interface ChannelFormValues extends KeyValues {
  setup: 'via_operator' | 'own';
  environment: 'sandbox' | 'production';
  status: 'active' | 'disabled';
  sub_mchid?: string;
  sub_appid?: string;
  app_auth_token?: string;
  mchid?: string;
  appid?: string;
  app_id?: string;
}

const trimmed = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

/** The `oauth` block of the credentials, when switched on; the AppSecret is sent, never read back. */
function oauthBody(channel: ChannelName, v: KeyValues): Record<string, unknown> {
  if (!v.oauth_enabled) return {};
  if (channel === 'wechatpay') {
    return {
      oauth: {
        appid: v.oauth_appid?.trim(),
        app_secret: v.oauth_app_secret?.trim(),
        ...(trimmed(v.oauth_authorize_url) && { authorize_url: trimmed(v.oauth_authorize_url) }),
        ...(trimmed(v.oauth_api_base_url) && { api_base_url: trimmed(v.oauth_api_base_url) }),
      },
    };
  }
  return { oauth: { ...(trimmed(v.oauth_authorize_url) && { authorize_url: trimmed(v.oauth_authorize_url) }) } };
}

/** Keys, verification and gateway of a WeChat Pay account (the merchant's own or the operator's). */
function wechatKeysBody(v: KeyValues): Record<string, unknown> {
  return {
    merchant_serial_no: v.merchant_serial_no?.trim(),
    merchant_private_key: v.merchant_private_key?.trim(),
    api_v3_key: v.api_v3_key,
    platform: v.platform_mode === 'platform_certificate' ? { mode: 'platform_certificate' } : { mode: 'public_key', public_key_id: v.public_key_id?.trim(), public_key: v.public_key?.trim() },
    ...(trimmed(v.base_url) && { base_url: trimmed(v.base_url) }),
    ...oauthBody('wechatpay', v),
  };
}

function alipayKeysBody(v: KeyValues): Record<string, unknown> {
  return {
    app_private_key: v.app_private_key?.trim(),
    alipay_public_key: v.alipay_public_key?.trim(),
    ...(trimmed(v.gateway_url) && { gateway_url: trimmed(v.gateway_url) }),
    ...oauthBody('alipay', v),
  };
}

/** The PUT body: sub-merchant ids under the operator's account, or the merchant's own credentials. */
function channelBody(channel: ChannelName, v: ChannelFormValues): Record<string, unknown> {
  const base = { environment: v.environment, status: v.status };
  if (v.setup === 'via_operator') {
    return channel === 'wechatpay'
      ? { ...base, via_operator: { sub_mchid: v.sub_mchid?.trim(), ...(trimmed(v.sub_appid) && { sub_appid: trimmed(v.sub_appid) }) } }
      : { ...base, via_operator: { app_auth_token: v.app_auth_token?.trim() } };
  }
  if (channel === 'wechatpay') return { ...base, credentials: { channel, account: { mode: 'direct', mchid: v.mchid?.trim(), appid: v.appid?.trim() }, ...wechatKeysBody(v) } };
  return { ...base, credentials: { channel, account: { mode: 'direct', app_id: v.app_id?.trim() }, ...alipayKeysBody(v) } };
}

/** What a saved account shows of its keys and OAuth (identifiers and URLs only) to prefill the form. */
function shownKeyValues(config: Record<string, unknown> | undefined, fingerprints: Record<string, string> | undefined): KeyValues {
  const oauth = config?.oauth as Record<string, string> | undefined;
  const platform = config?.platform as Record<string, string> | undefined;
  return {
    merchant_serial_no: config?.merchant_serial_no as string | undefined,
    platform_mode: platform?.mode === 'platform_certificate' ? 'platform_certificate' : 'public_key',
    public_key_id: platform?.public_key_id,
    public_key: platform?.public_key,
    base_url: config?.base_url as string | undefined,
    alipay_public_key: config?.alipay_public_key as string | undefined,
    gateway_url: config?.gateway_url as string | undefined,
    oauth_enabled: Boolean(oauth) || Boolean(fingerprints?.oauth_app_secret),
    oauth_appid: oauth?.appid,
    oauth_authorize_url: oauth?.authorize_url,
    oauth_api_base_url: oauth?.api_base_url,
  };
}

/** Key fields shared by the merchant's own and the operator's accounts. */
function KeyFields({ channel, requiredRule }: { channel: ChannelName; requiredRule: { required: boolean; message: string }[] }) {
  const { t } = useI18n();
  const form = Form.useFormInstance<KeyValues>();
  const platformMode = Form.useWatch('platform_mode', form);
  const pem = [...requiredRule, { pattern: /^-----BEGIN [A-Z ]+-----/, message: 'PEM: -----BEGIN …-----' }];
  if (channel === 'alipay') {
    return (
      <>
        <Form.Item name="app_private_key" label={t('channels.appPrivateKey')} rules={pem}>
          <Input.TextArea rows={3} autoComplete="off" spellCheck={false} placeholder="-----BEGIN RSA PRIVATE KEY-----" data-testid="channel-app-private-key" />
        </Form.Item>
        <Form.Item name="alipay_public_key" label={t('channels.alipayPublicKey')} rules={pem}>
          <Input.TextArea rows={3} spellCheck={false} placeholder="-----BEGIN PUBLIC KEY-----" data-testid="channel-alipay-public-key" />
        </Form.Item>
        <Form.Item name="gateway_url" label={t('channels.baseUrl')}>
          <Input placeholder="https://openapi.alipay.com/gateway.do" data-testid="channel-gateway-url" />
        </Form.Item>
      </>
    );
  }
  return (
    <>
      <Form.Item name="merchant_serial_no" label={t('channels.merchantSerial')} rules={requiredRule}>
        <Input data-testid="channel-serial" />
      </Form.Item>
      <Form.Item name="merchant_private_key" label={t('channels.merchantPrivateKey')} rules={pem}>
        <Input.TextArea rows={3} autoComplete="off" spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" data-testid="channel-private-key" />
      </Form.Item>
      <Form.Item name="api_v3_key" label={t('channels.apiV3Key')} rules={[...requiredRule, { len: 32, message: '32' }]}>
        <Input.Password autoComplete="off" data-testid="channel-api-v3-key" />
      </Form.Item>
      <Form.Item name="platform_mode" label={t('chm.verification')}>
        <Radio.Group
          options={[
            { value: 'public_key', label: t('chm.verification.publicKey') },
            { value: 'platform_certificate', label: t('chm.verification.certificates') },
          ]}
        />
      </Form.Item>
      {platformMode !== 'platform_certificate' && (
        <>
          <Form.Item name="public_key_id" label={t('channels.publicKeyId')} rules={[...requiredRule, { pattern: /^PUB_KEY_ID_[0-9A-Za-z]+$/, message: 'PUB_KEY_ID_…' }]}>
            <Input data-testid="channel-public-key-id" />
          </Form.Item>
          <Form.Item name="public_key" label={t('channels.wechatPublicKey')} rules={pem}>
            <Input.TextArea rows={3} spellCheck={false} placeholder="-----BEGIN PUBLIC KEY-----" data-testid="channel-public-key" />
          </Form.Item>
        </>
      )}
      <Form.Item name="base_url" label={t('channels.baseUrl')}>
        <Input placeholder="https://api.mch.weixin.qq.com" data-testid="channel-base-url" />
      </Form.Item>
    </>
  );
}

/** 网页授权: lets the H5 pay page learn the payer from the wallet (snsapi_base / auth_base). */
function OAuthFields({ channel, secretSaved }: { channel: ChannelName; secretSaved: boolean }) {
  const { t } = useI18n();
  const form = Form.useFormInstance<KeyValues>();
  const enabled = Form.useWatch('oauth_enabled', form);
  const required = [{ required: true, message: t('common.required') }];
  return (
    <Card size="small" title={t('chm.oauth')} style={{ marginBottom: 16 }} data-testid="channel-oauth">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t(channel === 'wechatpay' ? 'chm.oauthHintWechat' : 'chm.oauthHintAlipay')}
      </Typography.Paragraph>
      <Form.Item name="oauth_enabled" label={t('chm.oauthEnabled')} valuePropName="checked">
        <Switch data-testid="channel-oauth-enabled" />
      </Form.Item>
      {enabled && channel === 'wechatpay' && (
        <>
          <Form.Item name="oauth_appid" label={t('chm.oauthAppid')} extra={t('chm.oauthAppidHint')} rules={[...required, { pattern: /^[0-9A-Za-z_.-]{1,64}$/, message: 'appid' }]}>
            <Input data-testid="channel-oauth-appid" />
          </Form.Item>
          <Form.Item
            name="oauth_app_secret"
            label={t('chm.oauthAppSecret')}
            extra={t(secretSaved ? 'chm.oauthAppSecretAgain' : 'chm.oauthAppSecretHint')}
            rules={[...required, { min: 16, max: 64, message: t('chm.oauthAppSecretLength') }]}
          >
            <Input.Password autoComplete="new-password" data-testid="channel-oauth-secret" />
          </Form.Item>
          <Form.Item name="oauth_api_base_url" label={t('chm.oauthApiBase')} rules={[{ pattern: /^https?:\/\//, message: 'https://…' }]}>
            <Input placeholder="https://api.weixin.qq.com" data-testid="channel-oauth-api-base" />
          </Form.Item>
        </>
      )}
      {enabled && (
        <Form.Item name="oauth_authorize_url" label={t('chm.oauthAuthorizeUrl')} rules={[{ pattern: /^https?:\/\//, message: 'https://…' }]}>
          <Input
            placeholder={channel === 'wechatpay' ? 'https://open.weixin.qq.com/connect/oauth2/authorize' : 'https://openauth.alipay.com/oauth2/publicAppAuthorize.htm'}
            data-testid="channel-oauth-authorize-url"
          />
        </Form.Item>
      )}
    </Card>
  );
}

function ChannelForm({ channel, current, onClose, onSaved }: { channel: ChannelName | null; current: ChannelAccount | null; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<ChannelFormValues>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const setup = Form.useWatch('setup', form);
  const required = [{ required: true, message: t('common.required') }];

  useEffect(() => {
    if (!channel) return;
    setProblem(null);
    form.resetFields();
    // Identifiers may be prefilled; secrets never are (the API does not have them to give).
    const account = (current?.config.account ?? {}) as Record<string, string>;
    form.setFieldsValue({
      setup: current?.mode === 'service_provider' || current?.mode === 'isv' || current?.mode === 'via_operator' ? 'via_operator' : current ? 'own' : 'via_operator',
      environment: (current?.environment as 'sandbox' | 'production' | undefined) ?? 'production',
      status: (current?.status as 'active' | 'disabled' | undefined) ?? 'active',
      sub_mchid: account.sub_mchid ?? (current?.config.sub_mchid as string | undefined),
      sub_appid: account.sub_appid ?? (current?.config.sub_appid as string | undefined),
      mchid: account.mchid,
      appid: account.appid,
      app_id: account.app_id,
      ...shownKeyValues(current?.config, current?.secret_fingerprints),
    });
  }, [channel, current, form]);

  const save = async () => {
    if (!channel) return;
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    setBusy(true);
    setProblem(null);
    try {
      await request('PUT', `/v1/payment-channels/${channel}`, channelBody(channel, values));
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={channel !== null}
      title={channel ? t('channels.editTitle', { channel: t(`channel.${channel}`) }) : ''}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void save()}
      onCancel={onClose}
      okButtonProps={buttonTestId('channel-save')}
      width={640}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="channel-error" />}
      <Alert type="info" showIcon title={t('channels.secretsWriteOnly')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical">
        <Form.Item name="setup" label={t('channels.setup')}>
          <Radio.Group
            options={[
              { value: 'via_operator', label: <span data-testid="channel-setup-via-operator">{t(channel === 'alipay' ? 'channels.viaIsv' : 'channels.viaSp')}</span> },
              { value: 'own', label: <span data-testid="channel-setup-own">{t('channels.own')}</span> },
            ]}
          />
        </Form.Item>
        <Space size="large">
          <Form.Item name="environment" label={t('channels.environment')}>
            <Select
              style={{ width: 180 }}
              data-testid="channel-environment"
              options={[
                { value: 'production', label: <span data-testid="channel-env-production">{t('channels.production')}</span> },
                { value: 'sandbox', label: <span data-testid="channel-env-sandbox">{t('channels.sandbox')}</span> },
              ]}
            />
          </Form.Item>
          <Form.Item name="status" label={t('common.status')}>
            <Select style={{ width: 140 }} options={['active', 'disabled'].map((s) => ({ value: s, label: <StatusTag status={s} /> }))} />
          </Form.Item>
        </Space>
        {setup === 'via_operator' && channel === 'wechatpay' && (
          <>
            <Form.Item name="sub_mchid" label="sub_mchid" rules={required}>
              <Input data-testid="channel-sub-mchid" />
            </Form.Item>
            <Form.Item name="sub_appid" label="sub_appid">
              <Input />
            </Form.Item>
          </>
        )}
        {setup === 'via_operator' && channel === 'alipay' && (
          <Form.Item name="app_auth_token" label="app_auth_token" rules={required}>
            <Input.Password autoComplete="off" />
          </Form.Item>
        )}
        {setup === 'via_operator' && <Typography.Paragraph type="secondary">{t('chm.oauthViaOperator')}</Typography.Paragraph>}
        {setup === 'own' && channel === 'wechatpay' && (
          <Space size="large">
            <Form.Item name="mchid" label="mchid" rules={required}>
              <Input data-testid="channel-mchid" />
            </Form.Item>
            <Form.Item name="appid" label="appid" rules={required}>
              <Input data-testid="channel-appid" />
            </Form.Item>
          </Space>
        )}
        {setup === 'own' && channel === 'alipay' && (
          <Form.Item name="app_id" label="app_id" rules={required}>
            <Input data-testid="channel-app-id" />
          </Form.Item>
        )}
        {setup === 'own' && channel && <KeyFields channel={channel} requiredRule={required} />}
        {setup === 'own' && channel && <OAuthFields channel={channel} secretSaved={Boolean(current?.secret_fingerprints.oauth_app_secret)} />}
      </Form>
    </Modal>
  );
}

interface OperatorFormValues extends KeyValues {
  environment: 'sandbox' | 'production';
  sp_mchid?: string;
  sp_appid?: string;
  app_id?: string;
  sys_service_provider_id?: string;
}

/** The operator's 服务商 (WeChat Pay) or ISV (Alipay) credentials, with the OAuth its merchants' pay pages use. */
function OperatorChannelForm({ channel, current, onClose, onSaved }: { channel: ChannelName | null; current: OperatorChannel | null; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<OperatorFormValues>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const required = [{ required: true, message: t('common.required') }];

  useEffect(() => {
    if (!channel) return;
    setProblem(null);
    form.resetFields();
    const account = (current?.config.account ?? {}) as Record<string, string>;
    form.setFieldsValue({
      environment: (current?.environment as 'sandbox' | 'production' | undefined) ?? 'production',
      sp_mchid: account.sp_mchid,
      sp_appid: account.sp_appid,
      app_id: account.app_id,
      sys_service_provider_id: account.sys_service_provider_id,
      ...shownKeyValues(current?.config, current?.secret_fingerprints),
    });
  }, [channel, current, form]);

  const save = async () => {
    if (!channel) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem(null);
    try {
      const body =
        channel === 'wechatpay'
          ? { environment: v.environment, wechatpay: { sp_mchid: v.sp_mchid?.trim(), sp_appid: v.sp_appid?.trim(), ...wechatKeysBody(v) } }
          : { environment: v.environment, alipay: { app_id: v.app_id?.trim(), sys_service_provider_id: v.sys_service_provider_id?.trim(), ...alipayKeysBody(v) } };
      await request('PUT', `/v1/operator/payment-channels/${channel}`, body);
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={channel !== null}
      title={channel ? t('chm.operatorEditTitle', { channel: t(`channel.${channel}`) }) : ''}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void save()}
      onCancel={onClose}
      okButtonProps={buttonTestId('operator-channel-save')}
      width={640}
      forceRender
    >
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="operator-channel-error" />}
      <Alert type="info" showIcon title={t('channels.secretsWriteOnly')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical">
        <Form.Item name="environment" label={t('channels.environment')}>
          <Select
            style={{ width: 180 }}
            data-testid="operator-channel-environment"
            options={[
              { value: 'production', label: <span data-testid="operator-env-production">{t('channels.production')}</span> },
              { value: 'sandbox', label: <span data-testid="operator-env-sandbox">{t('channels.sandbox')}</span> },
            ]}
          />
        </Form.Item>
        {channel === 'wechatpay' ? (
          <Space size="large">
            <Form.Item name="sp_mchid" label="sp_mchid" rules={required}>
              <Input data-testid="operator-sp-mchid" />
            </Form.Item>
            <Form.Item name="sp_appid" label="sp_appid" rules={required}>
              <Input data-testid="operator-sp-appid" />
            </Form.Item>
          </Space>
        ) : (
          <Space size="large">
            <Form.Item name="app_id" label="app_id" rules={required}>
              <Input data-testid="operator-app-id" />
            </Form.Item>
            <Form.Item name="sys_service_provider_id" label="sys_service_provider_id" rules={[...required, { pattern: /^2088[0-9]{12}$/, message: '2088…' }]}>
              <Input data-testid="operator-pid" />
            </Form.Item>
          </Space>
        )}
        {channel && <KeyFields channel={channel} requiredRule={required} />}
        {channel && <OAuthFields channel={channel} secretSaved={Boolean(current?.secret_fingerprints.oauth_app_secret)} />}
      </Form>
    </Modal>
  );
}

/** The operator's 服务商 / ISV accounts (with the OAuth its merchants' H5 pay pages use), and each merchant's rates. */
function OperatorChannels() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const [accounts, setAccounts] = useState<Partial<Record<ChannelName, OperatorChannel | null>>>({});
  const [error, setError] = useState<unknown>(null);
  const [merchants, setMerchants] = useState<Merchant[]>([]);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ merchant_id: string; channel: ChannelName; fee: string; cost: string }>();
  const [allRates, setAllRates] = useState<MerchantRates[]>([]);
  const [editing, setEditing] = useState<ChannelName | null>(null);
  const [version, setVersion] = useState(0);
  const loadRates = useCallback(() => {
    api
      .get<{ items: MerchantRates[] }>('/v1/operator/payment-rates')
      .then((r) => setAllRates(r.items))
      .catch((e: unknown) => setError(e));
  }, []);
  useEffect(() => loadRates(), [loadRates]);
  const rateRows = allRates.flatMap((m) => m.channels.map((c) => ({ key: `${m.merchant_id}:${c.channel}`, merchant: m, ...c })));

  useEffect(() => {
    let live = true;
    void (async () => {
      const found: Partial<Record<ChannelName, OperatorChannel | null>> = {};
      for (const channel of channels) {
        try {
          found[channel] = await api.get<OperatorChannel>(`/v1/operator/payment-channels/${channel}`);
        } catch (e) {
          // 409: the operator has no account at this channel yet.
          if (e instanceof ApiError && e.status === 409) found[channel] = null;
          else if (live) setError(e);
        }
      }
      if (live) setAccounts(found);
    })();
    fetchAll<Merchant>('/v1/merchants')
      .then((list) => live && setMerchants(list))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [version]);

  const saveRates = async () => {
    // Invalid fields show their own messages; a rejected promise here would be an uncaught page error.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await request('PUT', `/v1/operator/merchants/${v.merchant_id}/payment-channels/${v.channel}/rates`, { fee_rate_ppm: parsePercentToPpm(v.fee), cost_rate_ppm: parsePercentToPpm(v.cost) });
      message.success(t('common.saved'));
      loadRates();
    } catch (e) {
      message.error(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const percent = [
    { required: true, message: t('common.required') },
    { validator: async (_r: unknown, value: string | undefined) => { if (value && parsePercentToPpm(value) === null) throw new Error(t('channels.rateInvalid')); } },
  ];

  return (
    <>
      <PageHeader title={t('channels.operatorTitle')} testId="page-title" />
      <LoadError error={error} />
      <Row gutter={[16, 16]}>
        {channels.map((channel) => {
          const account = accounts[channel];
          return (
            <Col key={channel} xs={24} xl={12}>
              <Card
                data-testid={`operator-channel-${channel}`}
                title={<Space><ChannelTag channel={channel} />{t(channel === 'alipay' ? 'channels.isvAccount' : 'channels.spAccount')}</Space>}
                extra={
                  account !== undefined && (
                    <Button icon={<EditOutlined />} onClick={() => setEditing(channel)} data-testid={`operator-channel-edit-${channel}`}>
                      {account ? t('common.edit') : t('channels.configure')}
                    </Button>
                  )
                }
              >
                {account === undefined ? (
                  <Spin />
                ) : account === null ? (
                  <Empty description={t('channels.notConfigured')} />
                ) : (
                  <>
                    <Descriptions size="small" column={2} style={{ marginBottom: 16 }}>
                      <Descriptions.Item label={t('channels.environment')}>{t(account.environment === 'sandbox' ? 'channels.sandbox' : 'channels.production')}</Descriptions.Item>
                      <Descriptions.Item label={t('channels.updatedAt')}>{formatTime(account.updated_at)}</Descriptions.Item>
                    </Descriptions>
                    <AccountFacts config={account.config} fingerprints={account.secret_fingerprints} testId={`operator-channel-${channel}`} />
                  </>
                )}
              </Card>
            </Col>
          );
        })}
      </Row>
      <OperatorChannelForm
        channel={editing}
        current={editing ? (accounts[editing] ?? null) : null}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          setVersion((v) => v + 1);
        }}
      />
      <Card title={t('channels.rates')} style={{ marginTop: 16 }}>
        <Typography.Paragraph type="secondary">{t('channels.ratesHint')}</Typography.Paragraph>
        <Form form={form} layout="inline" className="filters" initialValues={{ channel: 'wechatpay', fee: '0.38', cost: '0.2' }}>
          <Form.Item name="merchant_id" label={t('merchants.title')} rules={[{ required: true, message: t('common.required') }]}>
            <Select style={{ width: 240 }} showSearch optionFilterProp="label" options={merchants.map((m) => ({ value: m.id, label: m.name }))} data-testid="rates-merchant" />
          </Form.Item>
          <Form.Item name="channel" label={t('payments.channel')}>
            <Select style={{ width: 140 }} options={channels.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
          </Form.Item>
          <Form.Item name="fee" label={t('channels.feeRate')} rules={percent}>
            <Input suffix="%" style={{ width: 120 }} data-testid="rates-fee" />
          </Form.Item>
          <Form.Item name="cost" label={t('channels.costRate')} rules={percent}>
            <Input suffix="%" style={{ width: 120 }} data-testid="rates-cost" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" loading={busy} onClick={() => void saveRates()} data-testid="rates-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        </Form>
        <Table
          size="small"
          style={{ marginTop: 16 }}
          pagination={false}
          dataSource={rateRows}
          data-testid="operator-rates-table"
          onRow={(r) => rowTestId(`operator-rates-${r.merchant.merchant_id}-${r.channel}`)}
          columns={[
            { title: t('merchants.title'), key: 'merchant', render: (_: unknown, r) => r.merchant.merchant_name },
            { title: t('payments.channel'), dataIndex: 'channel', render: (c: ChannelName) => <ChannelTag channel={c} /> },
            { title: t('channels.feeRate'), dataIndex: 'fee_rate_ppm', render: (v: number) => formatPpm(v) },
            { title: t('channels.costRate'), dataIndex: 'cost_rate_ppm', render: (v: number) => formatPpm(v) },
            { title: t('rates.margin'), dataIndex: 'margin_ppm', render: (v: number) => formatPpm(v) },
            {
              title: t('rates.agentShare'),
              key: 'agent',
              render: (_: unknown, r) => (r.merchant.agent ? `${r.merchant.agent.name} · ${r.merchant.agent.share_bps / 100}% (${formatPpm(r.agent_ppm)})` : t('rates.noAgent')),
            },
          ]}
        />
      </Card>
    </>
  );
}
