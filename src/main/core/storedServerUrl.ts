import { needsUnencryptedConfirmation, type Preferences } from '../../shared/preferences'

/**
 * True when a preferences change means the app must restart to talk to another server: the
 * server URL differs from the one this run started with (null = bundled server).
 */
export function serverChoiceChanged(startedWith: string | null, preferred: string | null): boolean {
  return (startedWith ?? null) !== (preferred ?? null)
}

/**
 * The server the stored preferences choose: their `server_url` (null: the bundled server), except
 * a plain-http remote the user has not confirmed in the settings window (an older version stored
 * it unasked): not used, so the bundled server runs, and `refused` names it.
 */
export function chosenServer(preferences: Preferences): {
  url: string | null
  refused: string | null
} {
  const url = preferences.server_url
  if (
    url !== null &&
    needsUnencryptedConfirmation(url) &&
    preferences.unencrypted_server_confirmed !== url
  ) {
    return { url: null, refused: url }
  }
  return { url, refused: null }
}
