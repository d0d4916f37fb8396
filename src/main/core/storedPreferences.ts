import type { Preferences } from '../../shared/preferences'
import type { SecretStore } from './coreHost'
import { LocalStore } from './localStore'
import { PreferencesStore } from './preferencesStore'

/**
 * The device's preferences as stored, read before the core exists: the theme decides what the
 * first window looks like, and `auto_update` whether the updater starts checking.
 */
export function readStoredPreferences(userDataDir: string, secrets: SecretStore): Preferences {
  const store = new LocalStore(userDataDir, secrets)
  try {
    return new PreferencesStore(store).get()
  } finally {
    store.close()
  }
}
