import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import {
  AccountBookOutlined,
  ApiOutlined,
  AppstoreOutlined,
  AuditOutlined,
  BankOutlined,
  BarChartOutlined,
  ClusterOutlined,
  CreditCardOutlined,
  CrownOutlined,
  DashboardOutlined,
  GiftOutlined,
  IdcardOutlined,
  KeyOutlined,
  MergeCellsOutlined,
  PayCircleOutlined,
  QrcodeOutlined,
  ReconciliationOutlined,
  RocketOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  ShopOutlined,
  ShoppingCartOutlined,
  SolutionOutlined,
  TeamOutlined,
  TransactionOutlined,
  UserOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import type { MessageKey } from './i18n.js';

// The console's page registry. Adding a page is one line in `pages` (plus its label in i18n.tsx):
// the navigation, the route and the role check all come from here. A chain section with no page
// visible to the user shows "not yet available".

export type SectionKey =
  | 'home'
  | 'operator'
  | 'payments'
  | 'scenes'
  | 'membership'
  | 'identity'
  | 'operations'
  | 'insights'
  | 'finance'
  | 'governance'
  | 'settings';

export interface SectionDef {
  readonly key: SectionKey;
  readonly label: MessageKey;
  readonly icon: ReactNode;
  /** A link of the chain: always in the navigation, "not yet available" while it has no pages. */
  readonly chain: boolean;
}

export interface PageDef {
  /** Path under /console/, also the navigation key. */
  readonly path: string;
  readonly section: SectionKey;
  readonly label: MessageKey;
  readonly icon?: ReactNode;
  /** Roles that see the page (GET /v1/auth/me `role`). */
  readonly roles: readonly string[];
  readonly component: LazyExoticComponent<ComponentType>;
}

const operatorRoles = ['operator_admin', 'agent'];
const managers = ['merchant_owner', 'merchant_admin'];
const merchantStaff = ['merchant_owner', 'merchant_admin', 'store_manager', 'cashier', 'shopping_guide'];
const everyone = [...operatorRoles, ...merchantStaff];

export const sections: readonly SectionDef[] = [
  { key: 'home', label: 'nav.overview', icon: <DashboardOutlined />, chain: false },
  { key: 'operator', label: 'nav.operator', icon: <ClusterOutlined />, chain: false },
  { key: 'payments', label: 'nav.payments', icon: <PayCircleOutlined />, chain: true },
  { key: 'scenes', label: 'nav.scenes', icon: <AppstoreOutlined />, chain: true },
  { key: 'membership', label: 'nav.membership', icon: <CrownOutlined />, chain: true },
  { key: 'identity', label: 'nav.identity', icon: <IdcardOutlined />, chain: true },
  { key: 'operations', label: 'nav.operations', icon: <RocketOutlined />, chain: true },
  { key: 'insights', label: 'nav.insights', icon: <BarChartOutlined />, chain: true },
  { key: 'finance', label: 'nav.finance', icon: <BankOutlined />, chain: true },
  { key: 'governance', label: 'nav.governance', icon: <SafetyCertificateOutlined />, chain: true },
  { key: 'settings', label: 'nav.settings', icon: <SettingOutlined />, chain: true },
];

export const pages: readonly PageDef[] = [
  { path: 'overview', section: 'home', label: 'nav.overview', icon: <DashboardOutlined />, roles: everyone, component: lazy(() => import('./pages/Overview.js')) },
  { path: 'operator/merchants', section: 'operator', label: 'nav.merchants', icon: <ShopOutlined />, roles: operatorRoles, component: lazy(() => import('./pages/Merchants.js')) },
  { path: 'operator/agents', section: 'operator', label: 'nav.agents', icon: <SolutionOutlined />, roles: ['operator_admin'], component: lazy(() => import('./pages/Agents.js')) },
  { path: 'payments/transactions', section: 'payments', label: 'nav.paymentList', icon: <TransactionOutlined />, roles: merchantStaff, component: lazy(() => import('./pages/Payments.js')) },
  { path: 'payments/qr-codes', section: 'payments', label: 'nav.qrCodes', icon: <QrcodeOutlined />, roles: merchantStaff, component: lazy(() => import('./pages/QrCodes.js')) },
  { path: 'payments/channels', section: 'payments', label: 'nav.paymentChannels', icon: <WalletOutlined />, roles: ['operator_admin', ...managers], component: lazy(() => import('./pages/PaymentChannels.js')) },
  { path: 'payments/settlements', section: 'payments', label: 'nav.settlements', icon: <AccountBookOutlined />, roles: [...operatorRoles, ...managers], component: lazy(() => import('./pages/Settlements.js')) },
  { path: 'payments/reconciliation', section: 'payments', label: 'nav.reconciliation', icon: <ReconciliationOutlined />, roles: managers, component: lazy(() => import('./pages/Reconciliation.js')) },
  { path: 'membership/members', section: 'membership', label: 'nav.members', icon: <IdcardOutlined />, roles: merchantStaff, component: lazy(() => import('./pages/Members.js')) },
  { path: 'membership/counter', section: 'membership', label: 'nav.counter', icon: <ShoppingCartOutlined />, roles: [...managers, 'store_manager', 'cashier'], component: lazy(() => import('./pages/Counter.js')) },
  { path: 'membership/checkouts', section: 'membership', label: 'mmx.checkouts', icon: <ShoppingCartOutlined />, roles: [...managers, 'store_manager', 'cashier'], component: lazy(() => import('./pages/Checkouts.js')) },
  { path: 'membership/coupons', section: 'membership', label: 'nav.coupons', icon: <GiftOutlined />, roles: [...managers, 'store_manager'], component: lazy(() => import('./pages/CouponTemplates.js')) },
  { path: 'membership/stored-value', section: 'membership', label: 'nav.storedValue', icon: <CreditCardOutlined />, roles: managers, component: lazy(() => import('./pages/StoredValue.js')) },
  { path: 'membership/program', section: 'membership', label: 'nav.program', icon: <CrownOutlined />, roles: managers, component: lazy(() => import('./pages/ProgramSettings.js')) },
  { path: 'identity/persons', section: 'identity', label: 'nav.persons', icon: <UserOutlined />, roles: merchantStaff, component: lazy(() => import('./pages/IdentityPerson.js')) },
  { path: 'identity/review', section: 'identity', label: 'nav.identityReview', icon: <MergeCellsOutlined />, roles: managers, component: lazy(() => import('./pages/IdentityReview.js')) },
  { path: 'settings/stores', section: 'settings', label: 'nav.stores', icon: <ShopOutlined />, roles: merchantStaff, component: lazy(() => import('./pages/Stores.js')) },
  { path: 'settings/staff', section: 'settings', label: 'nav.staff', icon: <TeamOutlined />, roles: [...managers, 'store_manager'], component: lazy(() => import('./pages/Staff.js')) },
  { path: 'settings/api-keys', section: 'settings', label: 'nav.apiKeys', icon: <KeyOutlined />, roles: ['operator_admin', ...managers], component: lazy(() => import('./pages/ApiKeys.js')) },
  { path: 'settings/webhooks', section: 'settings', label: 'nav.webhooks', icon: <ApiOutlined />, roles: managers, component: lazy(() => import('./pages/Webhooks.js')) },
  { path: 'settings/audit', section: 'settings', label: 'nav.audit', icon: <AuditOutlined />, roles: ['operator_admin', ...managers], component: lazy(() => import('./pages/AuditLog.js')) },
];

export function visiblePages(role: string | null): PageDef[] {
  return pages.filter((p) => role !== null && p.roles.includes(role));
}

/** data-testid of a navigation entry: `nav-stores`, `nav-payments`. */
export function navTestId(key: string): string {
  return `nav-${key.split('/').at(-1)}`;
}
