// The database side of WeChat Pay platform-certificate mode: certificates downloaded by the adapter
// are cached per channel account, so a restart or another process does not download them again and
// a notification signed with a known certificate verifies without a channel call.
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { PlatformCertificate, PlatformCertificateStore } from './channels/wechatpay-certificates.js';
import { wechatpayPlatformCertificates } from './schema.js';

export function platformCertificateStore(db: Db, account: { readonly merchantId: string; readonly id: string }): PlatformCertificateStore {
  const ofAccount = and(eq(wechatpayPlatformCertificates.merchantId, account.merchantId), eq(wechatpayPlatformCertificates.channelAccountId, account.id));
  return {
    async load(): Promise<PlatformCertificate[]> {
      const rows = await db
        .select()
        .from(wechatpayPlatformCertificates)
        .where(and(ofAccount, gt(wechatpayPlatformCertificates.expiresAt, new Date())));
      return rows.map((row) => ({ serialNo: row.serialNo, certificatePem: row.certificate, effectiveAt: row.effectiveAt, expiresAt: row.expiresAt }));
    },
    async save(certificates, fetchedAt) {
      if (!certificates.length) return;
      await db
        .insert(wechatpayPlatformCertificates)
        .values(
          certificates.map((certificate) => ({
            merchantId: account.merchantId,
            channelAccountId: account.id,
            serialNo: certificate.serialNo,
            certificate: certificate.certificatePem,
            effectiveAt: certificate.effectiveAt,
            expiresAt: certificate.expiresAt,
            fetchedAt,
          })),
        )
        .onConflictDoUpdate({
          target: [wechatpayPlatformCertificates.merchantId, wechatpayPlatformCertificates.channelAccountId, wechatpayPlatformCertificates.serialNo],
          set: { certificate: sql`excluded.certificate`, effectiveAt: sql`excluded.effective_at`, expiresAt: sql`excluded.expires_at`, fetchedAt: sql`excluded.fetched_at` },
        });
    },
  };
}

/** What the cache holds for one account (the console / tests look at it). */
export async function cachedPlatformCertificates(db: Db, merchantId: string, accountId: string) {
  return db
    .select()
    .from(wechatpayPlatformCertificates)
    .where(and(eq(wechatpayPlatformCertificates.merchantId, merchantId), eq(wechatpayPlatformCertificates.channelAccountId, accountId)))
    .orderBy(wechatpayPlatformCertificates.expiresAt);
}
