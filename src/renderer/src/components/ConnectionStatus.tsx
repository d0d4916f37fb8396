import type { ConnectionState } from '../../../shared/ipc'
import { useNow } from '../hooks'
import { useConnection } from '../stores/connection'

export function connectionLabel(state: ConnectionState, now: number): string {
  switch (state.status) {
    case 'connected':
      return 'Connected'
    case 'connecting':
      return 'Connecting…'
    case 'offline':
      return 'Offline'
    case 'signed_out':
      return 'Signed out'
    case 'reconnecting': {
      if (!state.next_attempt_at) return 'Reconnecting…'
      const seconds = Math.ceil((Date.parse(state.next_attempt_at) - now) / 1000)
      return seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'
    }
  }
}

/** Always-visible connection indicator with a countdown to the next reconnect attempt. */
export function ConnectionStatus() {
  const state = useConnection((s) => s.state)
  const now = useNow(1000)
  const label = connectionLabel(state, now)
  return (
    <div
      className={`connection connection--${state.status}`}
      data-testid="connection-status"
      data-status={state.status}
      role="status"
      title={state.last_error ?? undefined}
    >
      <span className="connection__dot" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}
