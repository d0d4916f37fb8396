import fs from 'node:fs'
import path from 'node:path'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const VERSION = 'v1'

/**
 * Encrypts the secrets the server has to use again later (mail passwords) with AES-256-GCM under a
 * key kept outside the database, in `<dataDir>/secret.key` (created with mode 0600 on first start).
 * A copied database alone reveals nothing. Each value gets a fresh 96-bit IV; the `purpose` is bound
 * as additional authenticated data, so a ciphertext cannot be moved to another column unnoticed.
 * Stored form: `v1:<base64(iv | tag | ciphertext)>`.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key file of a data folder, creating it (0600) when it does not exist. */
  static open(dataDir: string): SecretBox {
    const file = path.join(dataDir, 'secret.key')
    let encoded: string
    try {
      encoded = fs.readFileSync(file, 'utf8').trim()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      encoded = randomBytes(KEY_BYTES).toString('base64')
      try {
        // wx: never overwrite a key another process created in between.
        fs.writeFileSync(file, `${encoded}\n`, { mode: 0o600, flag: 'wx' })
      } catch (writeError) {
        if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError
        encoded = fs.readFileSync(file, 'utf8').trim()
      }
    }
    const key = Buffer.from(encoded, 'base64')
    if (key.length !== KEY_BYTES) {
      throw new Error(`${file} does not hold a ${KEY_BYTES}-byte base64 key.`)
    }
    return new SecretBox(key)
  }

  /**
   * The key given as base64 (TIDINGS_SECRET_KEY, or the content of --secret-key-file): what every
   * node of a cluster shares.
   */
  static fromBase64(encoded: string): SecretBox {
    const key = Buffer.from(encoded.trim(), 'base64')
    if (key.length !== KEY_BYTES) {
      throw new Error(`The secret key must be ${KEY_BYTES} bytes, base64-encoded.`)
    }
    return new SecretBox(key)
  }

  /** A key held in memory only (for tests and tools). */
  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`The key must be ${KEY_BYTES} bytes.`)
    return new SecretBox(Buffer.from(key))
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(purpose, 'utf8'))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const tag = cipher.getAuthTag()
    return `${VERSION}:${Buffer.concat([iv, tag, body]).toString('base64')}`
  }

  /** Decrypts a sealed value; throws when it was altered, sealed for another purpose or key. */
  open(sealed: string, purpose: string): string {
    const [version, encoded] = sealed.split(':', 2)
    if (version !== VERSION || !encoded) throw new Error('Unknown sealed secret format.')
    const raw = Buffer.from(encoded, 'base64')
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('Sealed secret is truncated.')
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES))
    decipher.setAAD(Buffer.from(purpose, 'utf8'))
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8')
  }

  sealJson(value: unknown, purpose: string): string {
    return this.seal(JSON.stringify(value), purpose)
  }

  openJson<T>(sealed: string, purpose: string): T {
    return JSON.parse(this.open(sealed, purpose)) as T
  }
}
