import { safeStorage } from 'electron'
import type { SecretStore } from '../core/coreHost'

/**
 * The core's SecretStore on Electron safeStorage (Keychain, DPAPI, libsecret/kwallet). It reports
 * itself unavailable when the OS offers no encryption, and on Linux when Chromium fell back to the
 * 'basic_text' backend, which only obfuscates with a hard-coded key.
 */
export function createSecretStore(platform: NodeJS.Platform = process.platform): SecretStore {
  function available(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return false
    }
    return true
  }
  return {
    available,
    encrypt(plain) {
      if (!available()) throw new Error('Secure storage is not available')
      return safeStorage.encryptString(plain)
    },
    decrypt(cipher) {
      return safeStorage.decryptString(cipher)
    },
  }
}
