// The consent texts a member accepts when joining, by version. The membership purpose is required
// to join; marketing messages are a separate purpose, asked for separately and never pre-ticked
// (PIPL art. 13–14: separate consent for each purpose; art. 24 for marketing). The text shown is
// hashed into the consent record, so a record proves the exact words, names included.
import { createHash } from 'node:crypto';

export const MARKETING_PURPOSE = 'marketing';

export interface ConsentText {
  readonly version: string;
  readonly membership: string;
  readonly marketing: string;
}

type Template = (names: { merchant: string; program: string }) => Omit<ConsentText, 'version'>;

const templates: Record<string, Template> = {
  v1: ({ merchant, program }) => ({
    membership:
      `我同意加入「${program}」，并同意${merchant}为提供会员服务（会员卡、积分、储值、卡券、会员等级）处理我的支付账号标识、手机号（如填写）和消费记录。` +
      `这些信息只用于会员服务，保存至我退出会员后按法律要求的期限为止。我可以随时在会员卡页查看，并可到店申请更正、删除或退出会员。`,
    marketing: `我愿意接收${merchant}的优惠活动和会员权益消息。不勾选不影响加入会员，可随时在会员卡页关闭。`,
  }),
};

export const LATEST_CONSENT_VERSION = 'v1';

/**
 * The text of a version for this merchant. A program naming a version this build does not know
 * is shown the latest known text under its own version — never an empty consent.
 */
export function consentText(version: string, names: { merchant: string; program: string }): ConsentText {
  const template = templates[version] ?? templates[LATEST_CONSENT_VERSION]!;
  return { version: templates[version] ? version : LATEST_CONSENT_VERSION, ...template(names) };
}

/** What the record stores: SHA-256 over the version and both texts as shown. */
export function consentTextSha256(text: ConsentText): string {
  return createHash('sha256').update(`${text.version}\n${text.membership}\n${text.marketing}`).digest('hex');
}
