// The sandbox gateway's door: a protocol-faithful WeChat Pay v3 / Alipay channel served by MemberPlus
// itself (see docs/decisions/0003-sandbox-gateway.md). The payments module mounts `sandboxRoutes` at
// /sandbox; workers call `runSandboxNotifications` to move the sandbox's clock.
export { sandboxRoutes } from './routes.js';
export { runSandboxNotifications, type SandboxRunSummary, type Tamper } from './sandbox-notifications.js';
export { registerAlipayApp, registerWechatpayMerchant } from './sandbox-merchants.js';
export { sandboxKeysFor } from './sandbox-keys.js';
export { alipayOpenId, alipayUserId, newAuthCode, randomBuyerLabel, wechatOpenid, wechatUnionid } from './buyer-identity.js';
