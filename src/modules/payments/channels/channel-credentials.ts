// Per-merchant channel credentials, in the snake_case shape they travel in (API bodies, JSON at rest,
// the sandbox's `GET /sandbox/credentials/…`). Private keys and the APIv3 key are secrets: seal them at
// rest and never return them (see `credentialSecretFields`, `withoutSecrets`).
import { Type, type Static } from '@sinclair/typebox';

export const WECHATPAY_DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';
export const ALIPAY_DEFAULT_GATEWAY_URL = 'https://openapi.alipay.com/gateway.do';

const Pem = (description: string) => Type.String({ minLength: 64, maxLength: 8192, pattern: '^-----BEGIN [A-Z ]+-----', description });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_.-]+$', description });

/** 服务商 mode: the operator's sp_mchid signs for the merchant's sub_mchid. */
export const WechatpayServiceProviderAccount = Type.Object(
  {
    mode: Type.Literal('service_provider'),
    sp_mchid: Id('service provider merchant id'),
    sp_appid: Id('service provider app id'),
    sub_mchid: Id('sub-merchant id'),
    sub_appid: Type.Optional(Id("sub-merchant's own app id (openids scoped to it are sub_openid)")),
  },
  { additionalProperties: false },
);
export const WechatpayDirectAccount = Type.Object(
  { mode: Type.Literal('direct'), mchid: Id('merchant id'), appid: Id('app id') },
  { additionalProperties: false },
);

/** How responses and notifications are verified: public-key mode (new merchants) or platform certificates. */
export const WechatpayPlatformVerification = Type.Union([
  Type.Object(
    {
      mode: Type.Literal('public_key'),
      public_key_id: Type.String({ pattern: '^PUB_KEY_ID_[0-9A-Za-z]+$' }),
      public_key: Pem('WeChat Pay public key (PEM)'),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      mode: Type.Literal('platform_certificate'),
      // Usually absent: the adapter downloads the certificates (GET /v3/certificates) and caches them
      // per channel account. Pinned ones are trusted as given and never expire here.
      certificates: Type.Optional(
        Type.Array(
          Type.Object(
            {
              serial_no: Type.String({ pattern: '^[0-9A-Fa-f]{1,64}$' }),
              public_key: Pem('platform certificate or its public key (PEM)'),
            },
            { additionalProperties: false },
          ),
          { maxItems: 8, description: 'pinned certificates; omit to download them from /v3/certificates' },
        ),
      ),
    },
    { additionalProperties: false },
  ),
]);

export const WECHAT_OAUTH_DEFAULT_AUTHORIZE_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize';
export const WECHAT_OAUTH_DEFAULT_API_BASE_URL = 'https://api.weixin.qq.com';
export const ALIPAY_OAUTH_DEFAULT_AUTHORIZE_URL = 'https://openauth.alipay.com/oauth2/publicAppAuthorize.htm';

/**
 * Web OAuth (snsapi_base) for the H5 pay page: the official account (公众号) whose openid the JSAPI
 * order names — `appid`/`sp_appid`, or `sub_appid` in 服务商 mode — and its AppSecret (secret).
 */
export const WechatOAuth = Type.Object(
  {
    appid: Id('official account app id used for OAuth'),
    app_secret: Type.String({ minLength: 16, maxLength: 64, description: 'AppSecret of that app, secret' }),
    authorize_url: Type.Optional(Type.String({ pattern: '^https?://', description: `default ${WECHAT_OAUTH_DEFAULT_AUTHORIZE_URL}` })),
    api_base_url: Type.Optional(Type.String({ pattern: '^https?://', description: `default ${WECHAT_OAUTH_DEFAULT_API_BASE_URL}` })),
  },
  { additionalProperties: false },
);

/** Alipay auth_base for the H5 pay page: the app's own key signs alipay.system.oauth.token. */
export const AlipayOAuth = Type.Object(
  { authorize_url: Type.Optional(Type.String({ pattern: '^https?://', description: `default ${ALIPAY_OAUTH_DEFAULT_AUTHORIZE_URL}` })) },
  { additionalProperties: false },
);

export const WechatpayCredentials = Type.Object(
  {
    channel: Type.Literal('wechatpay'),
    account: Type.Union([WechatpayServiceProviderAccount, WechatpayDirectAccount]),
    merchant_serial_no: Type.String({ pattern: '^[0-9A-Fa-f]{1,64}$', description: 'serial of the merchant API certificate' }),
    merchant_private_key: Pem('merchant API private key (PEM), secret'),
    api_v3_key: Type.String({ minLength: 32, maxLength: 32, description: 'APIv3 key (32 bytes), secret' }),
    platform: WechatpayPlatformVerification,
    base_url: Type.Optional(Type.String({ pattern: '^https?://', description: `default ${WECHATPAY_DEFAULT_BASE_URL}` })),
    oauth: Type.Optional(WechatOAuth),
  },
  { additionalProperties: false },
);

/** ISV mode: the operator's app calls on the merchant's behalf with its app_auth_token. */
export const AlipayIsvAccount = Type.Object(
  {
    mode: Type.Literal('isv'),
    app_id: Id("the ISV's app id"),
    app_auth_token: Type.String({ minLength: 1, maxLength: 128, description: "the merchant's authorisation of the ISV app" }),
    sys_service_provider_id: Type.String({ pattern: '^2088[0-9]{12}$', description: "the ISV's PID, carried on each order" }),
  },
  { additionalProperties: false },
);
export const AlipayDirectAccount = Type.Object({ mode: Type.Literal('direct'), app_id: Id('app id') }, { additionalProperties: false });

export const AlipayCredentials = Type.Object(
  {
    channel: Type.Literal('alipay'),
    account: Type.Union([AlipayIsvAccount, AlipayDirectAccount]),
    app_private_key: Pem('app private key (PEM, PKCS#1 or PKCS#8), secret'),
    alipay_public_key: Pem('Alipay public key (PEM)'),
    gateway_url: Type.Optional(Type.String({ pattern: '^https?://', description: `default ${ALIPAY_DEFAULT_GATEWAY_URL}` })),
    oauth: Type.Optional(AlipayOAuth),
  },
  { additionalProperties: false },
);

export const ChannelCredentials = Type.Union([WechatpayCredentials, AlipayCredentials]);

export type WechatpayCredentials = Static<typeof WechatpayCredentials>;
export type AlipayCredentials = Static<typeof AlipayCredentials>;
export type ChannelCredentials = Static<typeof ChannelCredentials>;
export type WechatpayAccount = WechatpayCredentials['account'];
export type AlipayAccount = AlipayCredentials['account'];

/** Fields that must be sealed at rest and never leave the server. */
export const credentialSecretFields = ['merchant_private_key', 'api_v3_key', 'app_private_key'] as const;

/** The credentials as the API may show them: identifiers and public keys, no secrets. */
export function withoutSecrets(credentials: ChannelCredentials): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...credentials };
  for (const field of credentialSecretFields) if (field in shown) shown[field] = undefined;
  if (credentials.channel === 'wechatpay' && credentials.oauth) {
    const { app_secret: _secret, ...oauth } = credentials.oauth;
    shown.oauth = oauth;
  }
  return Object.fromEntries(Object.entries(shown).filter(([, value]) => value !== undefined));
}

/** The id the channel knows the merchant by (sub_mchid, mchid, or app_id plus the ISV token). */
export function channelMerchantId(credentials: ChannelCredentials): string {
  if (credentials.channel === 'wechatpay') {
    return credentials.account.mode === 'service_provider' ? credentials.account.sub_mchid : credentials.account.mchid;
  }
  return credentials.account.app_id;
}
