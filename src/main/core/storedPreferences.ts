import type { Preferences } from '../../shared/preferences'
import type { SecretStore } from './coreHost'
import { LocalStore } from './localStore'
import { PreferencesStore } from './preferencesStore'

/**
 * The preferences as stored, read before the core exists: the server choice decides whether the
 * bundled server starts at all, and the theme what the first window looks like.
 */
export function readStoredPreferences(userDataDir: string, secrets: SecretStore): Preferences {
  const store = new LocalStore(userDataDir, secrets)
  try {
    return new PreferencesStore(store).get()
  } finally {
    store.close()
  }
}
