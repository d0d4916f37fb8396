import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import type { FairPool } from './fairPool'

/** scrypt parameters: cost N (a power of two), block size r, parallelism p. */
export interface ScryptParams {
  N: number
  r: number
  p: number
}

/**
 * The production parameters (N=2^15, r=8, p=1: ~32 MiB and tens of ms, OWASP's recommended floor).
 * Tests may lower N (ServerOptions.scryptCost): a hash's parameters are stored with it, so
 * verification always uses the ones it was made with.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 1 }
const KEY_LENGTH = 32

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

/** `scrypt$N$r$p$salt$hash`, self-describing so the parameters can be raised later. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, params)
  const { N, r, p } = params
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * The server's hashing: every hash and verification runs in a FairPool (a few at once, fairly
 * between the addresses asking), with this server's parameters for new hashes. `key` is whose
 * turn it is: the client's address for logins and registrations, the user for a password change.
 */
export class PasswordHasher {
  constructor(
    private readonly params: ScryptParams,
    private readonly pool: FairPool,
    /** Told of every hash computed (the metrics). */
    private readonly computed: () => void = () => {},
  ) {}

  hash(password: string, key: string): Promise<string> {
    return this.pool.run(key, () => {
      this.computed()
      return hashPassword(password, this.params)
    })
  }

  verify(password: string, stored: string, key: string): Promise<boolean> {
    return this.pool.run(key, () => {
      this.computed()
      return verifyPassword(password, stored)
    })
  }

  /** A hash made outside the pool (once, at start): the unknown user's stand-in. */
  hashNow(password: string): Promise<string> {
    return hashPassword(password, this.params)
  }
}
