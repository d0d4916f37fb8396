import { useId } from 'react'
import type { UpdateState } from '../../../shared/updates'

/**
 * The settings window's Updates section: the user's switch and what the updater is doing. An
 * administrator's policy (or a copy that cannot update itself) disables the switch and says so.
 */
export function UpdatesSection({
  state,
  userEnabled,
  onChange,
  formatTime,
}: {
  state: UpdateState
  /** The user's own setting, whatever the administrator decided. */
  userEnabled: boolean
  onChange(enabled: boolean): void
  /** An RFC 3339 instant as the user reads times (the organization's clock). */
  formatTime(iso: string): string
}) {
  const id = useId()
  const locked = state.status === 'disabled' && state.reason !== 'user'
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Updates</h2>
      <label className="check">
        <input
          type="checkbox"
          data-testid="auto-update"
          checked={userEnabled && !locked}
          disabled={locked}
          aria-describedby={`${id}-status`}
          onChange={(e) => onChange(e.target.checked)}
        />
        Download and install updates automatically
      </label>
      <p id={`${id}-status`} className="small" data-testid="update-status">
        {updateStatusText(state, formatTime)}
      </p>
    </section>
  )
}

/** One sentence for the settings window. */
export function updateStatusText(state: UpdateState, formatTime: (iso: string) => string): string {
  switch (state.status) {
    case 'disabled':
      return state.reason === 'admin'
        ? 'Turned off by your administrator.'
        : state.reason === 'user'
          ? 'Tidings will not look for updates.'
          : 'This copy of Tidings cannot update itself.'
    case 'idle':
      return state.checked_at
        ? `Tidings is up to date (checked at ${formatTime(state.checked_at)}).`
        : 'Tidings looks for updates every few hours.'
    case 'checking':
      return 'Looking for updates…'
    case 'downloading':
      return `Downloading Tidings ${state.version}… ${state.percent}%`
    case 'ready':
      return `Tidings ${state.version} is ready: it is installed when Tidings restarts.`
    case 'failed':
      return state.reason === 'offline'
        ? `Could not reach the update server; trying again at ${formatTime(state.retry_at)}.`
        : state.reason === 'checksum'
          ? `A downloaded update was damaged and discarded; trying again at ${formatTime(state.retry_at)}.`
          : `Could not check for updates; trying again at ${formatTime(state.retry_at)}.`
  }
}
