import { defineMessages } from './i18n/defineMessages'
import type { Translator } from './i18n/translator'

/**
 * What the windows are told about app updates (main decides: src/main/core/updates.ts). The main
 * window shows a "Restart to update" bar once an update is downloaded (never a modal); the
 * settings window shows the state next to the switch that turns updates off.
 */
export type UpdateState =
  /** No updates: turned off by an administrator, by the user, or not possible for this copy. */
  | { status: 'disabled'; reason: UpdateDisabledReason }
  /** Up to date as far as known; `checked_at` is the last successful check (RFC 3339). */
  | { status: 'idle'; checked_at: string | null }
  | { status: 'checking' }
  | { status: 'downloading'; version: string; percent: number }
  /** Downloaded and verified: installed at the next restart (or when the app quits). */
  | { status: 'ready'; version: string }
  /** The last check or download failed; another is due at `retry_at`. No banner for this. */
  | { status: 'failed'; reason: UpdateFailure; retry_at: string }

export type UpdateDisabledReason =
  /** An administrator's policy (TIDINGS_AUTO_UPDATE=0 or the machine's policy file). */
  | 'admin'
  /** The user's setting. */
  | 'user'
  /** A development run, or a package the updater cannot replace (a plain folder, a tarball). */
  | 'unsupported'

export type UpdateFailure =
  /** The release feed could not be reached (offline, DNS, a proxy). */
  | 'offline'
  /** The feed was reached but not usable (missing, malformed, no valid version). */
  | 'feed'
  /** The download did not match the feed's sha512: discarded. */
  | 'checksum'
  | 'other'

const messages = defineMessages({
  ready: { id: 'updates.banner.ready', defaultMessage: 'Tidings {version} is ready.' },
  restart: { id: 'updates.banner.restart', defaultMessage: 'Restart to update' },
})

/** The main window's bar for a state, or null when there is nothing to offer. */
export function updateBanner(
  state: UpdateState,
  { t }: Translator,
): { text: string; action: string } | null {
  if (state.status !== 'ready') return null
  return { text: t(messages.ready, { version: state.version }), action: t(messages.restart) }
}
