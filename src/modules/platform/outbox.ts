import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { outboxEvents } from './schema.js';

export interface DomainEvent<T = unknown> {
  readonly id: string;
  readonly merchantId: string;
  readonly type: string;
  readonly payload: T;
  readonly occurredAt: Date;
}

/**
 * Records a domain event inside the caller's transaction: it exists exactly when the change it
 * announces committed, and the dispatcher delivers it afterwards (webhooks, handlers).
 */
export async function publishEvent<T>(tx: Db, merchantId: string, type: string, payload: T): Promise<DomainEvent<T>> {
  const event = { id: newId('event'), merchantId, type, payload, occurredAt: new Date() };
  await tx.insert(outboxEvents).values(event);
  return event;
}
