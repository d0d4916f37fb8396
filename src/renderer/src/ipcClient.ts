import { type MessageDescriptor } from 'react-intl'
import { defineMessages } from '../../shared/i18n/defineMessages'
import type { TidingsApi } from '../../shared/ipc'
import { MAX_PINNED_CONVERSATIONS } from '../../shared/preferences'
import { translate } from './stores/locale'

/**
 * The renderer's IPC client: the preload's `window.tidings`, one function per channel this page
 * may invoke. Stores call it; components never touch IPC themselves (a lint rule keeps it so).
 */
export function ipc(): TidingsApi {
  const tidings = (globalThis as { window?: { tidings?: TidingsApi } }).window?.tidings
  if (!tidings) throw new Error('window.tidings is not available (preload did not run)')
  return tidings
}

const byCode = defineMessages({
  network_error: {
    id: 'error.network',
    defaultMessage: 'Cannot reach the server. Check the connection and try again.',
  },
  offline: { id: 'error.offline', defaultMessage: 'Attachments need a connection.' },
  not_signed_in: { id: 'error.notSignedIn', defaultMessage: 'Sign in first.' },
  pin_limit_reached: {
    id: 'error.pinLimitReached',
    defaultMessage: 'You can pin up to {max} conversations. Unpin one first.',
  },
  wrong_password: { id: 'error.wrongPassword', defaultMessage: 'The current password is wrong.' },
  username_taken: { id: 'error.usernameTaken', defaultMessage: 'That username is taken.' },
  rate_limited: {
    id: 'error.rateLimited',
    defaultMessage: 'Too many attempts. Wait a little and try again.',
  },
  last_admin: {
    id: 'error.lastAdmin',
    defaultMessage:
      'That is the last active administrator: make someone else an administrator first.',
  },
  invalid_reset_code: {
    id: 'error.invalidResetCode',
    defaultMessage:
      'This reset code is invalid, expired or already used. Ask an administrator for a new one.',
  },
  account_deactivated: {
    id: 'error.accountDeactivated',
    defaultMessage: 'This account is deactivated. Ask an administrator to reactivate it.',
  },
  export_in_progress: {
    id: 'error.exportInProgress',
    defaultMessage: 'An export is already being saved.',
  },
  save_failed: { id: 'error.saveFailed', defaultMessage: 'The file could not be saved.' },
  server_unreachable: {
    id: 'error.serverUnreachable',
    defaultMessage: 'No Tidings server answered at that address. Check it and your connection.',
  },
  unencrypted_server: {
    id: 'error.unencryptedServer',
    defaultMessage:
      'This server is not encrypted (http://): confirm that you want to use it anyway, or use an https:// address.',
  },
  last_server: {
    id: 'error.lastServer',
    defaultMessage: 'Tidings needs a server: add another one before removing this one.',
  },
  unknown_server: { id: 'error.unknownServer', defaultMessage: 'That server is not in the list.' },
  servers_fixed: {
    id: 'error.serversFixed',
    defaultMessage:
      'Tidings was started for one server (--server-url or TIDINGS_SERVER_URL), so it cannot add or remove servers.',
  },
})

/** The codes whose meaning is one sentence wherever they come from. */
const CODE_MESSAGES: Readonly<Record<string, MessageDescriptor>> = byCode

/** The error's machine-readable code (main's InvokeResult code), if it has one. */
export function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : null
}

/**
 * A readable message for an invoke failure, in the window's language: the errors Tidings knows
 * by their code are worded from the catalog; anything else (a server's own explanation of a
 * refused request, such as the size limit a file went over) is shown in the words it came with.
 */
export function errorMessage(error: unknown): string {
  const code = errorCode(error)
  const known = code !== null && Object.hasOwn(CODE_MESSAGES, code) ? CODE_MESSAGES[code] : null
  if (known) return translate(known, { max: MAX_PINNED_CONVERSATIONS })
  if (error instanceof Error)
    return error.message.replace(/^Error invoking remote method '[^']+': /, '')
  if (typeof error === 'object' && error && 'message' in error) return String(error.message)
  return String(error)
}
