// The closed list of identifier kinds ID+ accepts, how each is normalised, how strongly it proves
// who a person is, and whether one value may belong to several persons of a merchant.
// Normalised values are what the database stores and compares: two spellings of the same phone or
// email must become one string, or resolution creates a second person for the same customer.

export const IDENTIFIER_KINDS = [
  'wechat_openid',
  'wechat_unionid',
  'alipay_user_id',
  'alipay_open_id',
  'phone',
  'card_number',
  'email',
  'external_id',
  'device_id',
  'masked_phone',
] as const;

export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

// strong: proves the person on its own (automatic merge); medium: names one account but the account
// may be shared or mistyped (never merges alone); weak: a device or cookie many people may use.
export type IdentifierStrength = 'strong' | 'medium' | 'weak';

// Strong and medium identifiers are unique within a merchant, so resolution by them is a lookup;
// weak ones (a shop tablet's device id) are legitimately shared and only ever hint.
export type SharingRule = 'one_person_per_merchant' | 'many_persons';

export interface PersonIdentifier {
  readonly kind: IdentifierKind;
  // Normalised value, as returned by normaliseIdentifier.
  readonly value: string;
  // Possession proven (an SMS code for a phone); only phones change strength with it today.
  readonly verified: boolean;
}

export interface IdentifierKindSpec {
  readonly kind: IdentifierKind;
  // Strength when unverified; a verified phone is promoted to strong.
  readonly strength: IdentifierStrength;
  // The value carries a scope prefix (`appid:openid`, `partner:id`) because it is only unique there.
  readonly scoped: boolean;
  readonly description: string;
}

export const IDENTIFIER_KIND_SPECS: Readonly<Record<IdentifierKind, IdentifierKindSpec>> = {
  wechat_openid: {
    kind: 'wechat_openid',
    strength: 'medium',
    scoped: true,
    description: 'WeChat openid, unique per official account or mini program (appid:openid)',
  },
  wechat_unionid: {
    kind: 'wechat_unionid',
    strength: 'strong',
    scoped: false,
    description: 'WeChat unionid, one per WeChat user across the apps of one open-platform account',
  },
  alipay_user_id: {
    kind: 'alipay_user_id',
    strength: 'medium',
    scoped: false,
    description: 'Alipay user id (2088 followed by 12 digits)',
  },
  alipay_open_id: {
    kind: 'alipay_open_id',
    strength: 'medium',
    // Alipay issues open_id per application like WeChat's openid, so the same string in two apps
    // need not be the same user.
    scoped: true,
    description: 'Alipay open_id, unique per Alipay application (appid:open_id)',
  },
  phone: {
    kind: 'phone',
    strength: 'medium',
    scoped: false,
    description: 'Mobile phone: mainland China as 11 digits, other countries as +CC… (E.164)',
  },
  card_number: {
    kind: 'card_number',
    strength: 'strong',
    scoped: false,
    description: 'Member card number issued by the merchant',
  },
  email: { kind: 'email', strength: 'medium', scoped: false, description: 'Email address, lowercased' },
  external_id: {
    kind: 'external_id',
    strength: 'medium',
    scoped: true,
    description: "A partner's own user id (partner:id)",
  },
  device_id: { kind: 'device_id', strength: 'weak', scoped: false, description: 'Device or cookie id' },
  // What a channel or partner shows of a mobile number (138****5678): thousands of people share
  // one, so it never finds a person; suggestions compare it on the digits it shows.
  masked_phone: {
    kind: 'masked_phone',
    strength: 'weak',
    scoped: false,
    description: 'Mobile number as a channel shows it, masked (138****5678): a hint for suggestions, never resolves',
  },
};

export function isIdentifierKind(value: string): value is IdentifierKind {
  return (IDENTIFIER_KINDS as readonly string[]).includes(value);
}

export function identifierStrength(kind: IdentifierKind, verified: boolean): IdentifierStrength {
  // An SMS-verified phone proves possession; an unverified one is only what someone typed.
  if (kind === 'phone' && verified) return 'strong';
  return IDENTIFIER_KIND_SPECS[kind].strength;
}

export function sharingRule(strength: IdentifierStrength): SharingRule {
  return strength === 'weak' ? 'many_persons' : 'one_person_per_merchant';
}

// One string per identifier for sets and maps; kinds contain no ':' so the first ':' splits it.
// Takes a plain string kind too, so that stored rows can be keyed without narrowing them first.
export function identifierKey(identifier: { readonly kind: string; readonly value: string }): string {
  return `${identifier.kind}:${identifier.value}`;
}

// The scope of a scoped value (`appid` of `appid:openid`), undefined for unscoped kinds.
export function identifierScope(identifier: Pick<PersonIdentifier, 'kind' | 'value'>): string | undefined {
  if (!IDENTIFIER_KIND_SPECS[identifier.kind].scoped) return undefined;
  const colon = identifier.value.indexOf(':');
  return colon < 0 ? undefined : identifier.value.slice(0, colon);
}

export const IDENTIFIER_REJECTION_CODES = [
  'empty',
  'too_long',
  'invalid_characters',
  'scope_required',
  'scope_invalid',
  'scope_mismatch',
  'alipay_user_id_format',
  'masked_phone_format',
  'phone_landline',
  'phone_wrong_length',
  'phone_invalid_prefix',
  'phone_international_invalid',
  'email_invalid',
  'card_number_format',
] as const;

export type IdentifierRejectionCode = (typeof IDENTIFIER_REJECTION_CODES)[number];

export interface NormaliseOptions {
  // Phones only: possession proven by an SMS code or by the channel.
  readonly verified?: boolean;
  // wechat_openid and alipay_open_id: the app that issued the id. May instead be the raw's prefix.
  readonly appId?: string;
  // external_id: the partner whose id it is. May instead be the raw's prefix.
  readonly partner?: string;
}

export type NormalisedIdentifier =
  | {
      readonly ok: true;
      readonly kind: IdentifierKind;
      readonly value: string;
      readonly strength: IdentifierStrength;
      readonly sharing: SharingRule;
      readonly verified: boolean;
      // Phones only: international numbers are checked against E.164 length alone, not a
      // numbering plan, so the console can show them as "format not checked".
      readonly phoneRegion?: 'cn_mainland' | 'international';
    }
  | { readonly ok: false; readonly code: IdentifierRejectionCode; readonly message: string };

type Rejection = Extract<NormalisedIdentifier, { ok: false }>;
type Normalised = { value: string; phoneRegion?: 'cn_mainland' | 'international' } | Rejection;

function reject(code: IdentifierRejectionCode, message: string): Rejection {
  return { ok: false, code, message };
}

// Long enough for any real email (254) or partner id; longer input is an attack or a paste error.
const MAX_LENGTH = 256;
const OPAQUE_ID = /^[A-Za-z0-9_-]+$/;
// WeChat appids are "wx" + 16 characters; Alipay appids are 16 digits.
const WECHAT_APPID = /^wx[0-9A-Za-z]{16}$/;
const ALIPAY_APPID = /^\d{16}$/;
const PARTNER = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function normaliseIdentifier(
  kind: IdentifierKind,
  raw: string,
  opts: NormaliseOptions = {},
): NormalisedIdentifier {
  const verified = opts.verified ?? false;
  // NFKC folds full-width digits and letters (１３８…, ＠) that Chinese input methods produce.
  const text = raw.normalize('NFKC').trim();
  if (text === '') return reject('empty', `${kind} is empty`);
  if (text.length > MAX_LENGTH) return reject('too_long', `${kind} is longer than ${MAX_LENGTH} characters`);

  const normalised = normaliseByKind(kind, text, opts);
  if ('ok' in normalised) return normalised;
  // Only phones are verifiable today; a "verified" device id would be a caller's mistake, not a proof.
  const effectiveVerified = kind === 'phone' && verified;
  const strength = identifierStrength(kind, effectiveVerified);
  return {
    ok: true,
    kind,
    value: normalised.value,
    strength,
    sharing: sharingRule(strength),
    verified: effectiveVerified,
    ...(normalised.phoneRegion === undefined ? {} : { phoneRegion: normalised.phoneRegion }),
  };
}

function normaliseByKind(kind: IdentifierKind, text: string, opts: NormaliseOptions): Normalised {
  switch (kind) {
    case 'wechat_openid':
      return scopedOpaque(kind, text, opts.appId, (scope) => WECHAT_APPID.test(scope), 'a WeChat appid (wx…)');
    case 'alipay_open_id':
      return scopedOpaque(kind, text, opts.appId, (scope) => ALIPAY_APPID.test(scope), 'an Alipay appid (16 digits)');
    case 'external_id':
      return scopedOpaque(kind, text, opts.partner?.toLowerCase(), (scope) => PARTNER.test(scope), 'a partner key');
    case 'wechat_unionid':
      return opaque(kind, text);
    case 'alipay_user_id':
      return /^2088\d{12}$/.test(text)
        ? { value: text }
        : reject('alipay_user_id_format', 'Alipay user id must be 2088 followed by 12 digits');
    case 'phone':
      return normalisePhone(text);
    case 'card_number': {
      // Cards are read aloud and typed with spaces or dashes; the issuer's numbers are case-free.
      const compact = text.replace(/[\s-]/g, '').toUpperCase();
      return /^[A-Z0-9]{4,32}$/.test(compact)
        ? { value: compact }
        : reject('card_number_format', 'card number must be 4 to 32 letters or digits');
    }
    case 'email':
      return normaliseEmail(text);
    case 'masked_phone': {
      const compact = text.replace(/[\s-]/g, '');
      return /^1[3-9]\d\*{4}\d{4}$/.test(compact)
        ? { value: compact }
        : reject('masked_phone_format', 'masked phone must look like 138****5678 (3 digits, 4 stars, 4 digits)');
    }
    case 'device_id':
      return /^[\x21-\x7e]+$/.test(text)
        ? { value: text }
        : reject('invalid_characters', 'device id must be printable ASCII without spaces');
  }
}

function opaque(kind: IdentifierKind, text: string): Normalised {
  // Channel ids are case-sensitive base64url-like strings: keep them byte for byte.
  return OPAQUE_ID.test(text)
    ? { value: text }
    : reject('invalid_characters', `${kind} may contain only letters, digits, '-' and '_'`);
}

// Accepts `id` with the scope in options, or an already scoped `scope:id`, so that normalising a
// normalised value gives it back unchanged.
function scopedOpaque(
  kind: IdentifierKind,
  text: string,
  optionScope: string | undefined,
  validScope: (scope: string) => boolean,
  scopeName: string,
): Normalised {
  const colon = text.indexOf(':');
  const embeddedScope = colon < 0 ? undefined : text.slice(0, colon);
  const id = colon < 0 ? text : text.slice(colon + 1);
  const scope = kind === 'external_id' ? embeddedScope?.toLowerCase() : embeddedScope;
  if (scope !== undefined && optionScope !== undefined && scope !== optionScope) {
    return reject('scope_mismatch', `${kind} carries scope ${scope} but ${optionScope} was given`);
  }
  const effectiveScope = scope ?? optionScope;
  if (effectiveScope === undefined) return reject('scope_required', `${kind} needs ${scopeName}`);
  if (!validScope(effectiveScope)) return reject('scope_invalid', `${effectiveScope} is not ${scopeName}`);
  if (id === '') return reject('empty', `${kind} is empty`);
  // Partners' ids are theirs to shape (emails, paths); only whitespace would make them ambiguous.
  const idIsValid = kind === 'external_id' ? /^\S+$/.test(id) : OPAQUE_ID.test(id);
  if (!idIsValid) return reject('invalid_characters', `${kind} contains characters it may not contain`);
  return { value: `${effectiveScope}:${id}` };
}

// Mainland mobiles become 11 digits (1[3-9]…), the form every Chinese system and SMS gateway uses;
// other countries keep E.164 (+CC…) so they can never collide with a mainland number.
function normalisePhone(text: string): Normalised {
  const compact = text.replace(/[\s\-.()]/g, '');
  if (!/^\+?\d+$/.test(compact)) {
    return reject('invalid_characters', 'phone may contain only digits, spaces, dashes, brackets and a leading +');
  }
  let international: string | undefined;
  if (compact.startsWith('+')) international = compact.slice(1);
  else if (compact.startsWith('00')) international = compact.slice(2);

  let national: string;
  if (international !== undefined) {
    if (!international.startsWith('86')) {
      // E.164: a country code that does not start with 0, at most 15 digits in all.
      if (!/^[1-9]\d{6,14}$/.test(international)) {
        return reject('phone_international_invalid', 'international phone must be +country code and 7 to 15 digits');
      }
      return { value: `+${international}`, phoneRegion: 'international' };
    }
    national = international.slice(2);
  } else {
    // 8613812345678: the country code without + or 00, as some forms store it.
    national = compact.length === 13 && compact.startsWith('86') ? compact.slice(2) : compact;
  }

  // Mainland landlines carry an area code: 0… nationally, 86 21… (no trunk 0) internationally.
  if (national.startsWith('0') || (international !== undefined && !national.startsWith('1'))) {
    return reject('phone_landline', 'a number with an area code is a landline; a mobile number is needed');
  }
  if (national.length !== 11) {
    return reject('phone_wrong_length', `mainland mobile number must have 11 digits, not ${national.length}`);
  }
  if (!/^1[3-9]/.test(national)) {
    return reject('phone_invalid_prefix', 'mainland mobile number must start with 13 to 19');
  }
  return { value: national, phoneRegion: 'cn_mainland' };
}

function normaliseEmail(text: string): Normalised {
  const email = text.toLowerCase();
  const invalid = reject('email_invalid', `${text} is not an email address`);
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.indexOf('@') !== at) return invalid;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || /\s/.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return invalid;
  }
  const labels = domain.split('.');
  if (labels.length < 2) return invalid;
  const labelsValid = labels.every((label) => /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u.test(label));
  const tld = labels[labels.length - 1] ?? '';
  if (!labelsValid || !/^\p{L}{2,}$/u.test(tld)) return invalid;
  return { value: email };
}
