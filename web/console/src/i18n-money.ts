// Strings of the money follow-ups (channel OAuth, bill upload, membership checkouts / top-ups and
// their refunds, the counter's QR), merged into the console's dictionaries by i18n.tsx.
// `moneyEn` is typed against `moneyZhCN`, so a missing translation is a type error.

export const moneyZhCN = {
  // channel configuration: web OAuth (docs/decisions/0010)
  'chm.verification': '应答与通知验签',
  'chm.verification.publicKey': '微信支付公钥',
  'chm.verification.certificates': '平台证书（自动下载）',
  'chm.oauth': '网页授权（H5 付款页识别付款人）',
  'chm.oauthHintWechat': '填写公众号的 AppID 和 AppSecret 后，买家在微信里打开收款码会静默授权（snsapi_base），订单带上其 openid，会员与 ID+ 能认出同一个人。不填则付款页无法在生产环境发起 JSAPI 支付。',
  'chm.oauthHintAlipay': '开启后，买家在支付宝里打开收款码会静默授权（auth_base），由应用私钥换取 user_id。授权地址可不填（默认支付宝正式地址）。',
  'chm.oauthEnabled': '启用网页授权',
  'chm.oauthAppid': '公众号 AppID',
  'chm.oauthAppidHint': 'JSAPI 订单所用的公众号（直连为 appid；服务商模式下为 sub_appid 或 sp_appid）',
  'chm.oauthAppSecret': 'AppSecret',
  'chm.oauthAppSecretHint': '只写入、不回显：保存后仅显示指纹。',
  'chm.oauthAppSecretAgain': '已保存过 AppSecret（见指纹）；每次保存都需要重新填写。',
  'chm.oauthAppSecretLength': 'AppSecret 为 16–64 位',
  'chm.oauthApiBase': '接口地址（可选）',
  'chm.oauthAuthorizeUrl': '授权地址（可选）',
  'chm.oauthViaOperator': '服务商 / ISV 模式下，网页授权使用服务商账户上配置的公众号或应用。',
  'chm.operatorEditTitle': '配置服务商{channel}账户',
} satisfies Record<string, string>;

export const moneyEn: Record<keyof typeof moneyZhCN, string> = {
  'chm.verification': 'Response and notification verification',
  'chm.verification.publicKey': 'WeChat Pay public key',
  'chm.verification.certificates': 'Platform certificates (downloaded)',
  'chm.oauth': 'Web OAuth (identify the payer on the H5 pay page)',
  'chm.oauthHintWechat':
    'With the official account’s AppID and AppSecret, a buyer opening the store QR in WeChat is identified silently (snsapi_base); the order names their openid so membership and ID+ recognise the same person. Without it a production pay page cannot start JSAPI payments.',
  'chm.oauthHintAlipay': 'When on, a buyer opening the store QR in Alipay is identified silently (auth_base); the app key exchanges the code for the user_id. The authorize URL may stay empty (Alipay’s production URL).',
  'chm.oauthEnabled': 'Web OAuth on',
  'chm.oauthAppid': 'Official account AppID',
  'chm.oauthAppidHint': 'The official account JSAPI orders use (appid when direct; sub_appid or sp_appid for a service provider)',
  'chm.oauthAppSecret': 'AppSecret',
  'chm.oauthAppSecretHint': 'Write-only: after saving only its fingerprint is shown.',
  'chm.oauthAppSecretAgain': 'An AppSecret is saved (see the fingerprint); every save needs it again.',
  'chm.oauthAppSecretLength': 'AppSecret has 16–64 characters',
  'chm.oauthApiBase': 'API base URL (optional)',
  'chm.oauthAuthorizeUrl': 'Authorize URL (optional)',
  'chm.oauthViaOperator': 'Under a service provider / ISV, web OAuth uses the app configured on the operator’s account.',
  'chm.operatorEditTitle': 'Configure the operator’s {channel} account',
};
