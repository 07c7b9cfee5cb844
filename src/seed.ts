import type { Db } from './db/client.js';
import {
  appendAudit,
  createOperator,
  findFirstOperator,
  insertApiKey,
  insertUser,
  systemContext,
} from './modules/platform/index.js';
import { merchants, stores, agents } from './modules/platform/schema.js';
import { configureSandboxChannels } from './modules/payments/index.js';
import { newId } from './kernel/ids.js';

export const demoPassword = 'memberplus2026';

export interface DemoSeed {
  readonly operatorId: string;
  readonly agentId: string;
  readonly merchantId: string;
  readonly storeIds: string[];
  readonly logins: { role: string; login: string; password: string; userId: string }[];
  readonly apiKey: string;
}

/** True when the database has no operator yet: `npm start` seeds demo data only then. */
export async function isEmpty(db: Db): Promise<boolean> {
  return (await findFirstOperator(db)) === null;
}

/**
 * Demo data: an operator with an agent, one merchant with two stores and one user of each role,
 * and a merchant API key. Written directly (this is the machine owner's bootstrap, not a request),
 * but every write still lands in the audit chain.
 */
export async function seedDemo(db: Db, options: { secretKey?: string } = {}): Promise<DemoSeed> {
  return db.transaction(async (tx) => {
    const operator = await createOperator(tx, '演示服务商 Demo Operator');
    const operatorCtx = systemContext(operator.id, null, 'seed');
    const agentId = newId('agent');
    await tx.insert(agents).values({ id: agentId, operatorId: operator.id, name: '华东代理 East China Agent', shareBps: 3000 });
    await appendAudit(tx, operatorCtx, { action: 'agent.create', targetType: 'agent', targetId: agentId });
    const merchantId = newId('merchant');
    await tx.insert(merchants).values({ id: merchantId, operatorId: operator.id, agentId, name: '示例咖啡 Demo Coffee', legalName: '示例咖啡有限公司' });
    await appendAudit(tx, operatorCtx, { action: 'merchant.create', targetType: 'merchant', targetId: merchantId });
    const merchantCtx = systemContext(operator.id, merchantId, 'seed');
    const storeIds = [newId('store'), newId('store')];
    await tx.insert(stores).values([
      { merchantId, id: storeIds[0]!, name: '人民广场店 People’s Square', address: '上海市黄浦区人民大道 100 号' },
      { merchantId, id: storeIds[1]!, name: '陆家嘴店 Lujiazui', address: '上海市浦东新区世纪大道 8 号' },
    ]);
    for (const id of storeIds) await appendAudit(tx, merchantCtx, { action: 'store.create', targetType: 'store', targetId: id });

    const logins: DemoSeed['logins'] = [];
    const addUser = async (role: string, login: string, displayName: string, scope: { merchantId?: string; agentId?: string; storeIds?: string[] }) => {
      const userId = await insertUser(tx, {
        login,
        displayName,
        password: demoPassword,
        role: role as never,
        operatorId: operator.id,
        merchantId: scope.merchantId ?? null,
        agentId: scope.agentId ?? null,
        storeIds: scope.storeIds,
      });
      await appendAudit(tx, scope.merchantId ? merchantCtx : operatorCtx, { action: 'staff.create', targetType: 'user', targetId: userId, after: { login, role } });
      logins.push({ role, login, password: demoPassword, userId });
    };
    await addUser('operator_admin', 'operator', '运营管理员 Operator Admin', {});
    await addUser('agent', 'agent', '代理商 Agent', { agentId });
    await addUser('merchant_owner', 'owner', '店主 Owner', { merchantId });
    await addUser('merchant_admin', 'admin', '管理员 Admin', { merchantId });
    await addUser('store_manager', 'manager', '店长 Manager', { merchantId, storeIds: [storeIds[0]!] });
    await addUser('cashier', 'cashier', '收银员 Cashier', { merchantId, storeIds: [storeIds[0]!] });
    await addUser('shopping_guide', 'guide', '导购 Guide', { merchantId, storeIds: [storeIds[0]!] });

    // Both channels through the built-in sandbox, so the demo store can take payments out of the box.
    if (options.secretKey) await configureSandboxChannels(tx, options.secretKey, { operatorId: operator.id, merchantId, name: '示例咖啡 Demo Coffee' });

    const { key, secret } = await insertApiKey(tx, { operatorId: operator.id, merchantId, name: 'demo key', scopes: ['*'], createdBy: null });
    await appendAudit(tx, merchantCtx, { action: 'api_key.create', targetType: 'api_key', targetId: key.id, after: { name: key.name, scopes: key.scopes } });
    return { operatorId: operator.id, agentId, merchantId, storeIds, logins, apiKey: secret };
  });
}
