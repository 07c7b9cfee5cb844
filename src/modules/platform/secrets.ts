import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';

// @node-rs/argon2's Algorithm is a const enum; 2 is Argon2id.
const argon2id = 2;

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

// High-entropy tokens (sessions, API keys) need no slow hash: SHA-256 makes a lookup key.
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, { algorithm: argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(hash, password);
  } catch {
    return false;
  }
}

// Verifying against a fixed hash when the login is unknown keeps response time from telling
// which logins exist.
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomToken());
  return decoyHash;
}
