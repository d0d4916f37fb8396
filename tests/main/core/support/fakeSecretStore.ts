import type { SecretStore } from '../../../../src/main/core/coreHost'

/**
 * Stands in for Electron's safeStorage (the platform boundary). The "encryption" is a reversible
 * transform with a marker, enough to prove the core never stores the plain token when secure
 * storage is available, and that it stores it plainly (and says so) when it is not.
 */
export function fakeSecretStore(available = true): SecretStore & { calls: number } {
  const store = {
    calls: 0,
    available: () => available,
    encrypt(plain: string): Buffer {
      store.calls += 1
      return Buffer.concat([Buffer.from('ENC1'), Buffer.from(plain, 'utf8').reverse()])
    },
    decrypt(cipher: Buffer): string {
      if (cipher.subarray(0, 4).toString() !== 'ENC1') throw new Error('not encrypted by us')
      return Buffer.from(cipher.subarray(4)).reverse().toString('utf8')
    },
  }
  return store
}
