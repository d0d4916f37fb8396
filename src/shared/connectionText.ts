import { defineMessages } from './i18n/defineMessages'
import type { Translator } from './i18n/translator'
import type { ConnectionStatus } from './ipc'

/**
 * The connection state in words, the same in the window's status and the tray's tooltip. A
 * reconnect's countdown is the window's alone (it ticks; a tooltip is read once).
 */
const messages = defineMessages({
  connecting: { id: 'connection.connecting', defaultMessage: 'Connecting…' },
  connected: { id: 'connection.connected', defaultMessage: 'Connected' },
  reconnecting: { id: 'connection.reconnecting', defaultMessage: 'Reconnecting…' },
  offline: { id: 'connection.offline', defaultMessage: 'Offline' },
  signed_out: { id: 'connection.signedOut', defaultMessage: 'Signed out' },
  reconnectingIn: {
    id: 'connection.reconnectingIn',
    defaultMessage: 'Reconnecting in {seconds} s',
    description: 'A countdown to the next attempt to reach the server; "s" for seconds',
  },
})

export function connectionStatusText(status: ConnectionStatus, { t }: Translator): string {
  return t(messages[status])
}

/** "Reconnecting in 5 s" while an attempt is due, else "Reconnecting…". */
export function reconnectingText(seconds: number, { t }: Translator): string {
  return seconds > 0 ? t(messages.reconnectingIn, { seconds }) : t(messages.reconnecting)
}
