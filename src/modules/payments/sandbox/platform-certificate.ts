// The sandbox's WeChat Pay platform certificates: real X.509 (v3, sha256WithRSAEncryption) so the
// adapter's certificate handling (node:crypto X509Certificate, serial, validity) runs as against
// WeChat Pay. node:crypto parses certificates but cannot issue them, so this writes the few DER
// structures a self-signed certificate needs. RSA PKCS#1 v1.5 signatures are deterministic, so the
// same key, serial and validity give the same certificate: nothing but the key needs storing.
import { createPublicKey, sign, type KeyObject } from 'node:crypto';

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);

function integer(bytes: Buffer): Buffer {
  let value = bytes;
  while (value.length > 1 && value[0] === 0 && ((value[1] ?? 0) & 0x80) === 0) value = value.subarray(1);
  // A set high bit would read as negative: DER prefixes a zero byte.
  if (((value[0] ?? 0) & 0x80) !== 0) value = Buffer.concat([Buffer.from([0]), value]);
  return tlv(0x02, value);
}

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [];
    let value = arc;
    do {
      chunk.unshift(value & 0x7f);
      value = Math.floor(value / 128);
    } while (value > 0);
    for (let i = 0; i < chunk.length - 1; i += 1) chunk[i] = (chunk[i] ?? 0) | 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(at: Date): Buffer {
  const iso = at.toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  // UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return at.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

const SHA256_WITH_RSA = sequence(objectId('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

function name(attributes: readonly (readonly [string, string])[]): Buffer {
  return sequence(...attributes.map(([oid, value]) => set(sequence(objectId(oid), tlv(0x0c, Buffer.from(value, 'utf8'))))));
}

// Shaped like WeChat Pay's own platform certificates (subject 财付通支付科技有限公司, issuer Tenpay.com).
const SUBJECT = name([
  ['2.5.4.6', 'CN'],
  ['2.5.4.10', '财付通支付科技有限公司'],
  ['2.5.4.11', 'MemberPlus Sandbox'],
  ['2.5.4.3', 'Tenpay.com sign (sandbox)'],
]);

export interface SandboxCertificateInput {
  /** Hex serial, as WeChat Pay writes it (40 hex digits). */
  readonly serial: string;
  readonly privateKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A self-signed X.509 v3 certificate for the platform key, as PEM. */
export function issuePlatformCertificate(input: SandboxCertificateInput): string {
  const spki = createPublicKey(input.privateKey).export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version v3
    integer(Buffer.from(input.serial.length % 2 ? `0${input.serial}` : input.serial, 'hex')),
    SHA256_WITH_RSA,
    SUBJECT,
    sequence(time(input.notBefore), time(input.notAfter)),
    SUBJECT,
    spki,
  );
  const signature = sign('sha256', tbs, input.privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

/** Platform certificates are valid five years, as WeChat Pay's are. */
export const SANDBOX_CERTIFICATE_VALIDITY_MS = 5 * 365 * 24 * 3600 * 1000;
