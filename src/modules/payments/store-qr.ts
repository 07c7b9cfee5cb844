// 一码付: a static QR per store (and per cashier desk) whose URL opens our pay page in whichever
// wallet scanned it. The token in the URL is random, so codes cannot be enumerated.
import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { Resvg } from '@resvg/resvg-js';
import QRCode from 'qrcode';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, assertStoreInScope, authorize, canSeeStore, getStore, requireMerchantId, systemContext, type AccessContext } from '../platform/index.js';
import { paymentErrors } from './errors.js';
import { storeQrCodes } from './schema.js';
import { fittingSize, outlineText } from './text-outline.js';

export type StoreQrRow = typeof storeQrCodes.$inferSelect;

export function payPageUrl(config: Config, token: string): string {
  return `${config.publicUrl}/h5/pay/${token}`;
}

async function storeOf(db: Db, ctx: AccessContext, storeId: string) {
  assertStoreInScope(ctx, storeId);
  const store = await getStore(db, systemContext(ctx.operatorId, requireMerchantId(ctx), 'payments'), storeId).catch(() => null);
  if (!store) throw paymentErrors.make('qr_code_not_found', 'store not found');
  return store;
}

export async function listStoreQrCodes(db: Db, ctx: AccessContext, storeId: string): Promise<StoreQrRow[]> {
  authorize(ctx, 'payments.read');
  await storeOf(db, ctx, storeId);
  return db.select().from(storeQrCodes).where(and(eq(storeQrCodes.merchantId, requireMerchantId(ctx)), eq(storeQrCodes.storeId, storeId))).orderBy(asc(storeQrCodes.id));
}

export async function createStoreQrCode(db: Db, ctx: AccessContext, storeId: string, input: { desk?: string | undefined; label?: string | undefined }): Promise<StoreQrRow> {
  authorize(ctx, 'payment_qr_codes.write');
  const merchantId = requireMerchantId(ctx);
  await storeOf(db, ctx, storeId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(storeQrCodes)
      .values({ merchantId, id: newId('qrCode'), storeId, desk: input.desk ?? null, label: input.label ?? null, token: randomBytes(12).toString('base64url') })
      .returning();
    await appendAudit(tx, ctx, { action: 'payment_qr_code.create', targetType: 'payment_qr_code', targetId: row!.id, after: { store_id: storeId, desk: input.desk ?? null } });
    return row!;
  });
}

export async function setStoreQrCodeStatus(db: Db, ctx: AccessContext, qrId: string, status: 'active' | 'disabled'): Promise<StoreQrRow> {
  authorize(ctx, 'payment_qr_codes.write');
  const qr = await getStoreQrCode(db, ctx, qrId);
  return db.transaction(async (tx) => {
    const [row] = await tx.update(storeQrCodes).set({ status }).where(and(eq(storeQrCodes.merchantId, qr.merchantId), eq(storeQrCodes.id, qrId))).returning();
    await appendAudit(tx, ctx, { action: 'payment_qr_code.status', targetType: 'payment_qr_code', targetId: qrId, before: { status: qr.status }, after: { status } });
    return row!;
  });
}

export async function getStoreQrCode(db: Db, ctx: AccessContext, qrId: string): Promise<StoreQrRow> {
  authorize(ctx, 'payments.read');
  const [row] = await db.select().from(storeQrCodes).where(and(eq(storeQrCodes.merchantId, requireMerchantId(ctx)), eq(storeQrCodes.id, qrId)));
  if (!row || !canSeeStore(ctx, row.storeId)) throw paymentErrors.make('qr_code_not_found');
  return row;
}

/** For the public pay page: the code behind a token, when it is active. */
export async function findActiveQrByToken(db: Db, token: string): Promise<StoreQrRow | null> {
  const [row] = await db.select().from(storeQrCodes).where(eq(storeQrCodes.token, token));
  return row && row.status === 'active' ? row : null;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One line of the card: outlined glyphs (see text-outline.ts), thickened by a stroke of their own colour for print. */
function textLine(text: string, size: number, centreX: number, baseline: number, maxWidth: number, weight: number, colour: string): string {
  const fitted = fittingSize(text, size, maxWidth);
  const { d } = outlineText(text, fitted, centreX, baseline, 'middle');
  return d ? `<path d="${d}" fill="${colour}" stroke="${colour}" stroke-width="${weight}" stroke-linejoin="round"/>` : '';
}

/**
 * A printable card: the QR, the store name and the desk under it, and a line telling buyers what to
 * do. The text is drawn as outlines, so it prints the same with or without Chinese fonts installed.
 */
export async function renderQrSvg(url: string, storeName: string, desk: string | null): Promise<string> {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const scale = 10;
  const margin = 40;
  const width = size * scale + margin * 2;
  const textTop = margin + size * scale;
  const textWidth = width - 32;
  const cells: string[] = [];
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (qr.modules.get(x, y)) cells.push(`M${margin + x * scale} ${margin + y * scale}h${scale}v${scale}h-${scale}z`);
    }
  }
  const lines = [
    textLine(storeName, 28, width / 2, textTop + 36, textWidth, 1.6, '#000'),
    desk ? textLine(desk, 22, width / 2, textTop + 70, textWidth, 1.2, '#000') : '',
    textLine('微信 / 支付宝 扫码付款', 18, width / 2, textTop + (desk ? 104 : 74), textWidth, 0.8, '#555'),
  ];
  const height = textTop + (desk ? 130 : 100);
  const title = desk ? `${storeName} · ${desk}` : storeName;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(title)} — 微信 / 支付宝 扫码付款</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<path fill="#000" shape-rendering="crispEdges" d="${cells.join('')}"/>`,
    ...lines.filter(Boolean),
    '</svg>',
  ].join('\n');
}

/** The same card as a PNG at twice the SVG's size (about 800 px wide: sharp when printed at 7 cm). */
export async function renderQrPng(url: string, storeName: string, desk: string | null): Promise<Buffer> {
  const svg = await renderQrSvg(url, storeName, desk);
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: '#fff', font: { loadSystemFonts: false } }).render().asPng();
}

/** The printable image of a store's code: SVG or PNG. */
export async function renderStoreQr(db: Db, config: Config, ctx: AccessContext, qrId: string, format: 'png' | 'svg'): Promise<string | Buffer> {
  const qr = await getStoreQrCode(db, ctx, qrId);
  const store = await storeOf(db, ctx, qr.storeId);
  const url = payPageUrl(config, qr.token);
  return format === 'svg' ? renderQrSvg(url, store.name, qr.desk) : renderQrPng(url, store.name, qr.desk);
}
