import { createHash, randomBytes } from 'node:crypto'

/** A 256-bit random bearer token, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Tokens and invite codes are stored only as SHA-256 hashes: a leaked database grants nothing. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
