/**
 * The one error type the core throws at its callers. It carries a stable machine-readable `code`
 * because errors cross IPC as data (InvokeResult), where only plain fields survive.
 */
export class CoreError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'CoreError'
    this.code = code
  }
}

/** Errors the core raises itself (REST errors keep the server's codes). */
export const CoreErrorCode = {
  InvalidRequest: 'invalid_request',
  UnknownChannel: 'unknown_channel',
  NotSignedIn: 'not_signed_in',
  NotFound: 'not_found',
  NotHandledByCore: 'not_handled_by_core',
  /** Pinning one more conversation than MAX_PINNED_CONVERSATIONS allows. */
  PinLimitReached: 'pin_limit_reached',
  /** A server id that is not in the list. */
  UnknownServer: 'unknown_server',
  /** Adding a server whose address answers nothing, or not as a Tidings server. */
  ServerUnreachable: 'server_unreachable',
  /** Adding a plain-http server on another machine without the user's confirmation. */
  UnencryptedServer: 'unencrypted_server',
  /** Removing the only server. */
  LastServer: 'last_server',
  /** Adding or removing a server while one was given on the command line. */
  ServersFixed: 'servers_fixed',
  /** Before start(), or after stop(). */
  NotRunning: 'not_running',
} as const
