// Channel bill files as the channels deliver them, down to the text the parsers read:
// - Alipay (alipay.data.dataservice.bill.downloadurl.query): a ZIP of GBK-encoded CSVs, the 业务明细
//   (details) file and the 业务明细(汇总) (summary) file, names also GBK without the UTF-8 flag;
// - WeChat Pay (/v3/bill/tradebill): UTF-8 text, gzip-compressed when asked with tar_type=GZIP.
// A file uploaded by hand may be any of these, or the CSV itself in GBK or UTF-8.
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';

export class BillArchiveError extends Error {
  override readonly name = 'BillArchiveError';
}

const isZip = (bytes: Uint8Array) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

// Bills run to tens of megabytes at most; anything inflating past this is not a bill.
const MAX_INFLATED_BYTES = 200 * 1024 * 1024;

/** UTF-8 when the bytes are valid UTF-8 (BOM or not), else GBK (GB18030, its superset) as Alipay writes. */
export function decodeBillText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).replace(/^\uFEFF/, '');
  } catch {
    return iconv.decode(buffer, 'gb18030');
  }
}

/** What a file is made of: the channel's text files in it, decoded. Entry names are informative only. */
export function billFiles(bytes: Uint8Array): { name: string; text: string }[] {
  if (isGzip(bytes)) {
    let inflated: Buffer;
    try {
      inflated = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      throw new BillArchiveError(`not a readable gzip file: ${(error as Error).message}`);
    }
    return [{ name: '', text: decodeBillText(inflated) }];
  }
  if (isZip(bytes)) {
    let entries: Record<string, Uint8Array>;
    let total = 0;
    try {
      entries = unzipSync(bytes, {
        filter: (file) => {
          total += file.originalSize;
          if (total > MAX_INFLATED_BYTES) throw new BillArchiveError('the archive inflates beyond any bill');
          return !file.name.endsWith('/');
        },
      });
    } catch (error) {
      if (error instanceof BillArchiveError) throw error;
      throw new BillArchiveError(`not a readable zip file: ${(error as Error).message}`);
    }
    return Object.entries(entries).map(([name, content]) => ({ name, text: decodeBillText(content) }));
  }
  return [{ name: '', text: decodeBillText(bytes) }];
}

// The details file opens with `#支付宝业务明细查询` (older files `#支付宝交易记录明细查询`) and has a
// column header naming 支付宝交易号; the summary file is `#支付宝业务汇总查询` with per-store totals.
function isAlipayDetails(text: string): boolean {
  const head = text.slice(0, 4096);
  return /^#支付宝(业务|交易记录)明细查询/.test(head) || (head.includes('支付宝交易号') && !head.includes('汇总'));
}

/** The Alipay 业务明细 text out of what the channel (or an upload) delivered: zip, GBK or UTF-8 CSV. */
export function alipayDetailsText(bytes: Uint8Array): string {
  const files = billFiles(bytes);
  const details = files.filter((file) => isAlipayDetails(file.text));
  if (details.length !== 1) throw new BillArchiveError(details.length ? 'more than one 业务明细 file in the archive' : 'no 业务明细 file in the archive');
  return details[0]!.text;
}

/** The WeChat Pay trade bill text out of plain or gzip bytes (or a zip holding one bill, as uploaded). */
export function wechatpayBillText(bytes: Uint8Array): string {
  const files = billFiles(bytes).filter((file) => file.text.trim() !== '');
  if (files.length !== 1) throw new BillArchiveError(files.length ? 'more than one file in the archive' : 'an empty bill file');
  return files[0]!.text;
}
