import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';

// Every string the console shows lives here, in Simplified Chinese (the default) and English.
// A page adds its keys to both dictionaries; `en` is typed against `zhCN`, so a missing
// translation is a type error, not a blank label.

const zhCN = {
  'app.name': '会员+',
  'app.subtitle': 'MemberPlus 控制台',
  'locale.toggle': 'English',
  'common.actions': '操作',
  'common.create': '新建',
  'common.edit': '编辑',
  'common.save': '保存',
  'common.cancel': '取消',
  'common.close': '关闭',
  'common.confirm': '确定',
  'common.delete': '删除',
  'common.status': '状态',
  'common.name': '名称',
  'common.createdAt': '创建时间',
  'common.loadMore': '加载更多',
  'common.refresh': '刷新',
  'common.copy': '复制',
  'common.copied': '已复制',
  'common.copyFailed': '复制失败，请手动选中复制',
  'common.saved': '已保存',
  'common.none': '无',
  'common.all': '全部',
  'common.yes': '是',
  'common.no': '否',
  'common.id': 'ID',
  'common.phone': '电话',
  'common.search': '查询',
  'common.reset': '重置',
  'common.details': '详情',
  'common.readOnly': '只读',
  'common.error': '出错了',
  'common.required': '必填',
  'status.active': '正常',
  'status.suspended': '已暂停',
  'status.closed': '已关闭',
  'status.disabled': '已停用',
  'status.revoked': '已吊销',
  'status.locked': '已锁定',
  'status.enabled': '已启用',
  'status.pending': '待投递',
  'status.delivered': '已送达',
  'status.succeeded': '成功',
  'status.failed': '失败',
  'status.dead': '已放弃',

  'login.title': '登录控制台',
  'login.login': '账号',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '登录失败',

  'header.changePassword': '修改密码',
  'header.logout': '退出登录',
  'password.title': '修改密码',
  'password.current': '当前密码',
  'password.new': '新密码',
  'password.confirm': '确认新密码',
  'password.mismatch': '两次输入的新密码不一致',
  'password.rule': '至少 10 位，同时包含字母和数字',
  'password.changed': '密码已修改，其他设备上的登录已退出',

  'nav.overview': '概览',
  'nav.operator': '服务商',
  'nav.merchants': '商户',
  'nav.agents': '代理商',
  'nav.payments': '收款',
  'nav.scenes': '场景',
  'nav.membership': '会员',
  'nav.identity': 'ID+',
  'nav.operations': '运营',
  'nav.insights': '数据',
  'nav.finance': '金融',
  'nav.governance': '数据权益',
  'nav.settings': '设置',
  'nav.stores': '门店',
  'nav.staff': '员工与角色',
  'nav.apiKeys': 'API 密钥',
  'nav.webhooks': 'Webhooks',
  'nav.audit': '审计日志',

  'notAvailable.title': '尚未开放',
  'notAvailable.subtitle': '「{section}」模块正在建设中，敬请期待。',
  'notFound.title': '页面不存在',
  'forbidden.title': '无权访问',
  'forbidden.subtitle': '您的角色不能查看此页面。',
  'back.home': '返回概览',

  'role.operator_admin': '服务商管理员',
  'role.agent': '代理商',
  'role.merchant_owner': '商户主',
  'role.merchant_admin': '商户管理员',
  'role.store_manager': '店长',
  'role.cashier': '收银员',
  'role.shopping_guide': '导购',
  'roleDesc.operator_admin': '运营整个平台：入驻商户、管理代理商、服务商 API 密钥与审计日志。',
  'roleDesc.agent': '查看自己发展的商户（只读）。',
  'roleDesc.merchant_owner': '商户的全部权限：门店、员工（含管理员）、API 密钥、Webhooks、审计日志、商户资料。',
  'roleDesc.merchant_admin': '门店、员工（不含商户主）、API 密钥、Webhooks、审计日志。',
  'roleDesc.store_manager': '查看所属门店，管理所属门店的收银员和导购。',
  'roleDesc.cashier': '在所属门店收款、查会员、核销卡券。',
  'roleDesc.shopping_guide': '在所属门店服务会员，业绩归属到本人。',

  'overview.title': '概览',
  'overview.welcome': '您好，{name}',
  'overview.stores': '门店',
  'overview.staff': '员工',
  'overview.apiKeys': '有效 API 密钥',
  'overview.merchants': '商户',
  'overview.agents': '代理商',
  'overview.auditChart': '近 14 天操作记录（审计日志）',
  'overview.auditSeries': '操作数',
  'overview.chainNext': '经营链路：收款 → 场景 → 会员 → ID+ → 运营 → 数据 → 金融',

  'merchants.title': '商户',
  'merchants.create': '入驻商户',
  'merchants.legalName': '公司名称',
  'merchants.agent': '代理商',
  'merchants.timezone': '时区',
  'merchants.owner': '商户主账号',
  'merchants.withOwner': '同时创建商户主账号',
  'merchants.ownerLogin': '登录账号',
  'merchants.ownerName': '姓名',
  'merchants.ownerPassword': '初始密码',
  'merchants.suspend': '暂停',
  'merchants.reactivate': '恢复',
  'merchants.suspendConfirm': '暂停后该商户的员工和密钥将无法使用，确定暂停？',
  'merchants.created': '商户已入驻',
  'merchants.readOnlyHint': '代理商可查看自己发展的商户，不能修改。',

  'agents.title': '代理商',
  'agents.create': '新建代理商',
  'agents.contactName': '联系人',
  'agents.contactPhone': '联系电话',
  'agents.share': '分润比例',
  'agents.shareHelp': '代理商分得的手续费差价比例（%）',
  'agents.created': '代理商已创建',
  'agents.disable': '停用',
  'agents.enable': '启用',

  'stores.title': '门店',
  'stores.create': '新建门店',
  'stores.edit': '编辑门店',
  'stores.address': '地址',
  'stores.close': '关店',
  'stores.reopen': '重新营业',
  'stores.closeConfirm': '关店后该门店不再收款，确定关店？',
  'stores.created': '门店已创建',

  'staff.title': '员工与角色',
  'staff.tabStaff': '员工',
  'staff.tabRoles': '角色与权限',
  'staff.create': '新建员工',
  'staff.login': '登录账号',
  'staff.displayName': '姓名',
  'staff.password': '初始密码',
  'staff.role': '角色',
  'staff.stores': '所属门店',
  'staff.storesHelp': '店长、收银员、导购只能看到所属门店',
  'staff.allStores': '全部门店',
  'staff.editAccess': '调整角色与门店',
  'staff.disable': '停用',
  'staff.enable': '启用',
  'staff.unlock': '解锁',
  'staff.resetPassword': '重置密码',
  'staff.newPassword': '新密码',
  'staff.created': '员工已创建',
  'staff.lockedUntil': '锁定至 {time}',
  'staff.disableConfirm': '停用后该员工无法登录，确定停用？',
  'staff.roleColumn': '角色',
  'staff.canDo': '可以做什么',
  'staff.storeScoped': '限所属门店',
  'staff.scopesTitle': 'API 密钥可授予的权限范围',

  'apiKeys.title': 'API 密钥',
  'apiKeys.operatorTitle': '服务商 API 密钥',
  'apiKeys.create': '创建密钥',
  'apiKeys.scopes': '权限范围',
  'apiKeys.scopesAll': '* （全部）',
  'apiKeys.lastUsed': '最近使用',
  'apiKeys.never': '从未使用',
  'apiKeys.revoke': '吊销',
  'apiKeys.revokeConfirm': '吊销后使用该密钥的调用将立即失败，确定吊销？',
  'apiKeys.secretTitle': '请立即保存密钥',
  'apiKeys.secretWarning': '密钥只显示这一次，关闭后无法再次查看。',
  'apiKeys.kind': '类型',

  'webhooks.title': 'Webhooks',
  'webhooks.endpoints': '接收地址',
  'webhooks.create': '添加接收地址',
  'webhooks.edit': '编辑接收地址',
  'webhooks.url': 'URL',
  'webhooks.description': '备注',
  'webhooks.eventTypes': '事件类型',
  'webhooks.eventTypesHelp': '留空或 * 表示全部事件；可输入多个，回车确认',
  'webhooks.enabled': '启用',
  'webhooks.sendTest': '发送测试',
  'webhooks.testSent': '测试事件已发送',
  'webhooks.deleteConfirm': '删除后不再向该地址投递，确定删除？',
  'webhooks.secretTitle': '签名密钥',
  'webhooks.secretWarning': '用于校验 HMAC-SHA256 签名，只显示这一次。',
  'webhooks.deliveries': '投递记录',
  'webhooks.endpoint': '接收地址',
  'webhooks.event': '事件',
  'webhooks.attempts': '尝试次数',
  'webhooks.lastStatus': '最近响应',
  'webhooks.nextAttempt': '下次重试',
  'webhooks.resend': '重新投递',
  'webhooks.resent': '已重新投递',
  'webhooks.attemptNo': '第几次',
  'webhooks.attemptedAt': '时间',
  'webhooks.statusCode': 'HTTP 状态',
  'webhooks.error': '错误',
  'webhooks.duration': '耗时 (ms)',
  'webhooks.manual': '手动',
  'webhooks.deliveryTitle': '投递详情',
  'webhooks.noAttempts': '尚未尝试投递',

  'audit.title': '审计日志',
  'audit.action': '操作',
  'audit.actor': '操作人',
  'audit.actorId': '操作人 ID',
  'audit.target': '对象',
  'audit.targetType': '对象类型',
  'audit.targetId': '对象 ID',
  'audit.time': '时间',
  'audit.range': '时间范围',
  'audit.before': '变更前',
  'audit.after': '变更后',
  'audit.hash': '哈希',
  'audit.verify': '校验哈希链',
  'audit.verifyOk': '哈希链完整：共 {n} 条记录，未发现篡改。',
  'audit.verifyBroken': '哈希链在第 {seq} 条断开（{kind}），该条或之前的记录被修改或删除。',
  'audit.requestId': '请求 ID',
  'audit.count': '已加载 {n} 条',
  'problem.validation_failed': '请求内容不正确',
  'problem.unauthenticated': '请先登录',
  'problem.forbidden': '没有权限执行此操作',
  'problem.not_found': '找不到该对象',
  'problem.rate_limited': '尝试次数过多，请稍后再试',
  'problem.internal': '服务器内部错误',
  'problem.invalid_credentials': '账号或密码错误',
  'problem.account_locked': '登录失败次数过多，账号已被暂时锁定',
  'problem.account_disabled': '账号已停用',
  'problem.password_too_weak': '密码不符合要求',
  'problem.password_mismatch': '当前密码不正确',
  'problem.login_taken': '该登录账号已被使用',
  'problem.role_not_assignable': '您不能分配这个角色',
  'problem.stores_required': '店长、收银员、导购至少需要一个门店',
  'problem.scope_not_grantable': '您不能授予这个权限范围',
  'problem.cannot_change_self': '不能停用或降级自己',
  'problem.webhook_url_invalid': 'Webhook URL 不可用',
} satisfies Record<string, string>;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  'app.name': 'MemberPlus',
  'app.subtitle': 'MemberPlus console',
  'locale.toggle': '中文',
  'common.actions': 'Actions',
  'common.create': 'Create',
  'common.edit': 'Edit',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.confirm': 'OK',
  'common.delete': 'Delete',
  'common.status': 'Status',
  'common.name': 'Name',
  'common.createdAt': 'Created',
  'common.loadMore': 'Load more',
  'common.refresh': 'Refresh',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.copyFailed': 'Could not copy; select the text and copy it by hand',
  'common.saved': 'Saved',
  'common.none': 'None',
  'common.all': 'All',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.id': 'ID',
  'common.phone': 'Phone',
  'common.search': 'Search',
  'common.reset': 'Reset',
  'common.details': 'Details',
  'common.readOnly': 'Read only',
  'common.error': 'Something went wrong',
  'common.required': 'Required',
  'status.active': 'Active',
  'status.suspended': 'Suspended',
  'status.closed': 'Closed',
  'status.disabled': 'Disabled',
  'status.revoked': 'Revoked',
  'status.locked': 'Locked',
  'status.enabled': 'Enabled',
  'status.pending': 'Pending',
  'status.delivered': 'Delivered',
  'status.succeeded': 'Succeeded',
  'status.failed': 'Failed',
  'status.dead': 'Given up',

  'login.title': 'Sign in to the console',
  'login.login': 'Login',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'Sign-in failed',

  'header.changePassword': 'Change password',
  'header.logout': 'Sign out',
  'password.title': 'Change password',
  'password.current': 'Current password',
  'password.new': 'New password',
  'password.confirm': 'Confirm new password',
  'password.mismatch': 'The new passwords do not match',
  'password.rule': 'At least 10 characters, with letters and digits',
  'password.changed': 'Password changed; your other sessions were signed out',

  'nav.overview': 'Overview',
  'nav.operator': 'Operator',
  'nav.merchants': 'Merchants',
  'nav.agents': 'Agents',
  'nav.payments': 'Payments',
  'nav.scenes': 'Scenes',
  'nav.membership': 'Membership',
  'nav.identity': 'ID+',
  'nav.operations': 'Operations',
  'nav.insights': 'Insights',
  'nav.finance': 'Finance',
  'nav.governance': 'Data rights',
  'nav.settings': 'Settings',
  'nav.stores': 'Stores',
  'nav.staff': 'Staff & roles',
  'nav.apiKeys': 'API keys',
  'nav.webhooks': 'Webhooks',
  'nav.audit': 'Audit log',

  'notAvailable.title': 'Not yet available',
  'notAvailable.subtitle': 'The {section} module is being built.',
  'notFound.title': 'Page not found',
  'forbidden.title': 'Not allowed',
  'forbidden.subtitle': 'Your role cannot see this page.',
  'back.home': 'Back to overview',

  'role.operator_admin': 'Operator admin',
  'role.agent': 'Agent',
  'role.merchant_owner': 'Merchant owner',
  'role.merchant_admin': 'Merchant admin',
  'role.store_manager': 'Store manager',
  'role.cashier': 'Cashier',
  'role.shopping_guide': 'Shopping guide',
  'roleDesc.operator_admin': 'Runs the platform: onboards merchants, manages agents, operator API keys and the audit log.',
  'roleDesc.agent': 'Sees the merchants it brought (read only).',
  'roleDesc.merchant_owner': 'Everything in the merchant: stores, staff (including admins), API keys, webhooks, audit log, merchant profile.',
  'roleDesc.merchant_admin': 'Stores, staff (except the owner), API keys, webhooks, audit log.',
  'roleDesc.store_manager': 'Sees its stores; manages the cashiers and guides of its stores.',
  'roleDesc.cashier': 'Takes payments, looks members up and redeems coupons in its stores.',
  'roleDesc.shopping_guide': 'Serves members in its stores; sales are attributed to them.',

  'overview.title': 'Overview',
  'overview.welcome': 'Hello, {name}',
  'overview.stores': 'Stores',
  'overview.staff': 'Staff',
  'overview.apiKeys': 'Active API keys',
  'overview.merchants': 'Merchants',
  'overview.agents': 'Agents',
  'overview.auditChart': 'Activity in the last 14 days (audit log)',
  'overview.auditSeries': 'Actions',
  'overview.chainNext': 'The chain: payments → scenes → membership → ID+ → operations → insights → finance',

  'merchants.title': 'Merchants',
  'merchants.create': 'Onboard merchant',
  'merchants.legalName': 'Legal name',
  'merchants.agent': 'Agent',
  'merchants.timezone': 'Time zone',
  'merchants.owner': 'Owner account',
  'merchants.withOwner': 'Also create the owner account',
  'merchants.ownerLogin': 'Login',
  'merchants.ownerName': 'Name',
  'merchants.ownerPassword': 'Initial password',
  'merchants.suspend': 'Suspend',
  'merchants.reactivate': 'Reactivate',
  'merchants.suspendConfirm': 'Staff and keys of a suspended merchant stop working. Suspend?',
  'merchants.created': 'Merchant onboarded',
  'merchants.readOnlyHint': 'Agents see the merchants they brought and cannot change them.',

  'agents.title': 'Agents',
  'agents.create': 'Create agent',
  'agents.contactName': 'Contact',
  'agents.contactPhone': 'Contact phone',
  'agents.share': 'Share',
  'agents.shareHelp': 'The agent’s share of the fee margin (%)',
  'agents.created': 'Agent created',
  'agents.disable': 'Disable',
  'agents.enable': 'Enable',

  'stores.title': 'Stores',
  'stores.create': 'Create store',
  'stores.edit': 'Edit store',
  'stores.address': 'Address',
  'stores.close': 'Close',
  'stores.reopen': 'Reopen',
  'stores.closeConfirm': 'A closed store takes no payments. Close it?',
  'stores.created': 'Store created',

  'staff.title': 'Staff & roles',
  'staff.tabStaff': 'Staff',
  'staff.tabRoles': 'Roles & permissions',
  'staff.create': 'Create staff',
  'staff.login': 'Login',
  'staff.displayName': 'Name',
  'staff.password': 'Initial password',
  'staff.role': 'Role',
  'staff.stores': 'Stores',
  'staff.storesHelp': 'Store managers, cashiers and guides see only their stores',
  'staff.allStores': 'All stores',
  'staff.editAccess': 'Change role & stores',
  'staff.disable': 'Disable',
  'staff.enable': 'Enable',
  'staff.unlock': 'Unlock',
  'staff.resetPassword': 'Reset password',
  'staff.newPassword': 'New password',
  'staff.created': 'Staff account created',
  'staff.lockedUntil': 'Locked until {time}',
  'staff.disableConfirm': 'A disabled account cannot sign in. Disable it?',
  'staff.roleColumn': 'Role',
  'staff.canDo': 'What it can do',
  'staff.storeScoped': 'Its stores only',
  'staff.scopesTitle': 'Scopes an API key can carry',

  'apiKeys.title': 'API keys',
  'apiKeys.operatorTitle': 'Operator API keys',
  'apiKeys.create': 'Create key',
  'apiKeys.scopes': 'Scopes',
  'apiKeys.scopesAll': '* (everything)',
  'apiKeys.lastUsed': 'Last used',
  'apiKeys.never': 'Never',
  'apiKeys.revoke': 'Revoke',
  'apiKeys.revokeConfirm': 'Calls with this key fail at once after revoking. Revoke?',
  'apiKeys.secretTitle': 'Save the key now',
  'apiKeys.secretWarning': 'The secret is shown only this once and cannot be seen again.',
  'apiKeys.kind': 'Kind',

  'webhooks.title': 'Webhooks',
  'webhooks.endpoints': 'Endpoints',
  'webhooks.create': 'Add endpoint',
  'webhooks.edit': 'Edit endpoint',
  'webhooks.url': 'URL',
  'webhooks.description': 'Description',
  'webhooks.eventTypes': 'Event types',
  'webhooks.eventTypesHelp': 'Empty or * means every event; type several, press Enter after each',
  'webhooks.enabled': 'Enabled',
  'webhooks.sendTest': 'Send test',
  'webhooks.testSent': 'Test event sent',
  'webhooks.deleteConfirm': 'Nothing more is delivered to a deleted endpoint. Delete?',
  'webhooks.secretTitle': 'Signing secret',
  'webhooks.secretWarning': 'Verifies the HMAC-SHA256 signature; shown only this once.',
  'webhooks.deliveries': 'Deliveries',
  'webhooks.endpoint': 'Endpoint',
  'webhooks.event': 'Event',
  'webhooks.attempts': 'Attempts',
  'webhooks.lastStatus': 'Last response',
  'webhooks.nextAttempt': 'Next retry',
  'webhooks.resend': 'Resend',
  'webhooks.resent': 'Resent',
  'webhooks.attemptNo': 'Attempt',
  'webhooks.attemptedAt': 'Time',
  'webhooks.statusCode': 'HTTP status',
  'webhooks.error': 'Error',
  'webhooks.duration': 'Duration (ms)',
  'webhooks.manual': 'Manual',
  'webhooks.deliveryTitle': 'Delivery',
  'webhooks.noAttempts': 'Not attempted yet',

  'audit.title': 'Audit log',
  'audit.action': 'Action',
  'audit.actor': 'Actor',
  'audit.actorId': 'Actor id',
  'audit.target': 'Target',
  'audit.targetType': 'Target type',
  'audit.targetId': 'Target id',
  'audit.time': 'Time',
  'audit.range': 'Time range',
  'audit.before': 'Before',
  'audit.after': 'After',
  'audit.hash': 'Hash',
  'audit.verify': 'Verify chain',
  'audit.verifyOk': 'Chain intact: {n} entries, no tampering found.',
  'audit.verifyBroken': 'The chain breaks at entry {seq} ({kind}): it or an earlier entry was changed or removed.',
  'audit.requestId': 'Request id',
  'audit.count': '{n} loaded',
  'problem.validation_failed': 'The request is not valid',
  'problem.unauthenticated': 'Please sign in',
  'problem.forbidden': 'You are not allowed to do this',
  'problem.not_found': 'Not found',
  'problem.rate_limited': 'Too many attempts; try again later',
  'problem.internal': 'Internal error',
  'problem.invalid_credentials': 'Login or password is wrong',
  'problem.account_locked': 'Too many failed logins; the account is locked for a while',
  'problem.account_disabled': 'The account is disabled',
  'problem.password_too_weak': 'The password does not meet the policy',
  'problem.password_mismatch': 'The current password is wrong',
  'problem.login_taken': 'This login is already in use',
  'problem.role_not_assignable': 'You cannot assign this role',
  'problem.stores_required': 'Store managers, cashiers and guides need at least one store',
  'problem.scope_not_grantable': 'You cannot grant this scope',
  'problem.cannot_change_self': 'You cannot disable or demote yourself',
  'problem.webhook_url_invalid': 'The webhook URL is not acceptable',
};

export type Locale = 'zh-CN' | 'en';
const dictionaries: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const storageKey = 'memberplus.console.locale';

function initialLocale(): Locale {
  try {
    return localStorage.getItem(storageKey) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[locale][key];
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}

/** Whether a string names a dictionary entry (for role and status codes coming from the API). */
export function isMessageKey(key: string): key is MessageKey {
  return key in zhCN;
}

interface I18nValue {
  readonly locale: Locale;
  readonly t: Translate;
  setLocale(locale: Locale): void;
  /** Formats an API timestamp for the current locale. */
  formatTime(iso: string | null | undefined): string;
}

const I18nContext = createContext<I18nValue | null>(null);

let activeLocale: Locale = 'zh-CN';

/** The locale in use, for code outside React (error messages). */
export function currentLocale(): Locale {
  return activeLocale;
}

function applyLocale(locale: Locale) {
  activeLocale = locale;
  document.documentElement.lang = locale;
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const initial = initialLocale();
    applyLocale(initial);
    return initial;
  });
  const setLocale = useCallback((next: Locale) => {
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    applyLocale(next);
    setLocaleState(next);
  }, []);
  const value = useMemo<I18nValue>(
    () => ({
      locale,
      setLocale,
      t: (key, vars) => translate(locale, key, vars),
      formatTime: (iso) => (iso ? new Date(iso).toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { hour12: false }) : '—'),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

/** Label for a code from the API (role, status), falling back to the code itself. */
export function useCodeLabel(): (prefix: 'role' | 'status', code: string) => string {
  const { t } = useI18n();
  return (prefix, code) => {
    const key = `${prefix}.${code}`;
    return isMessageKey(key) ? t(key) : code;
  };
}
