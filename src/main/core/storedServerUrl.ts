import type { SecretStore } from './coreHost'
import { LocalStore } from './localStore'
import { PreferencesStore } from './preferencesStore'

/**
 * The remote server chosen in the settings window (Preferences.server_url), read before the core
 * exists because it decides whether the bundled server starts at all. Null means "bundled".
 */
export function readStoredServerUrl(userDataDir: string, secrets: SecretStore): string | null {
  const store = new LocalStore(userDataDir, secrets)
  try {
    return new PreferencesStore(store).get().server_url
  } finally {
    store.close()
  }
}

/**
 * True when a preferences change means the app must restart to talk to another server: the
 * server URL differs from the one this run started with (null = bundled server).
 */
export function serverChoiceChanged(startedWith: string | null, preferred: string | null): boolean {
  return (startedWith ?? null) !== (preferred ?? null)
}
