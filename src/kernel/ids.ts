import { monotonicFactory } from 'ulidx';

// Prefixed, sortable ids (`mch_01J…`): readable in logs, never sequential in the API.
const nextUlid = monotonicFactory();

export const idPrefixes = {
  operator: 'opr',
  agent: 'agt',
  merchant: 'mch',
  store: 'sto',
  user: 'usr',
  apiKey: 'key',
  session: 'ses',
  audit: 'aud',
  event: 'evt',
  webhookEndpoint: 'whe',
  webhookDelivery: 'whd',
  desk: 'dsk',
  payment: 'pay',
  refund: 'rfd',
  channelAccount: 'pca',
  qrCode: 'pqr',
  paymentNotification: 'pnt',
  paymentEvent: 'pev',
  ledgerEntry: 'led',
  reconciliation: 'rcn',
  reconciliationLine: 'rcl',
  person: 'per',
  identifier: 'idn',
  identityHistory: 'ihe',
  merge: 'mrg',
  reviewItem: 'rvw',
  suggestion: 'sug',
  crossMerchantLink: 'xml',
  member: 'mem',
  coupon: 'cpn',
  couponTemplate: 'cpt',
  couponGiftRule: 'cgr',
  pointsLot: 'mpl',
  pointsEntry: 'mpe',
  membershipOperation: 'mop',
  storedValueAccount: 'sva',
  storedValueEntry: 'sve',
  tierChange: 'mth',
  checkout: 'chk',
  checkoutRefund: 'mcr',
  topUp: 'mtu',
  topUpRefund: 'mtr',
  consent: 'mcs',
  mergeShortfall: 'msf',
} as const;

export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${nextUlid().toLowerCase()}`;
}

export function hasIdPrefix(kind: IdKind, value: string): boolean {
  return value.startsWith(`${idPrefixes[kind]}_`);
}
