import { connectionStatusText, reconnectingText } from '../../../shared/connectionText'
import type { Translator } from '../../../shared/i18n/translator'
import type { ConnectionState } from '../../../shared/ipc'
import { useNow } from '../hooks'
import { useConnection } from '../stores/connection'
import { useTranslator } from '../stores/locale'

export function connectionLabel(
  state: ConnectionState,
  now: number,
  translator: Translator,
): string {
  if (state.status === 'reconnecting' && state.next_attempt_at) {
    const seconds = Math.ceil((Date.parse(state.next_attempt_at) - now) / 1000)
    return reconnectingText(seconds, translator)
  }
  return connectionStatusText(state.status, translator)
}

/** Always-visible connection indicator with a countdown to the next reconnect attempt. */
export function ConnectionStatus() {
  const state = useConnection((s) => s.state)
  const translator = useTranslator()
  const now = useNow(1000)
  const label = connectionLabel(state, now, translator)
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
