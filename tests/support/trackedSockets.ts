import type { TestAccount } from './accounts'
import type { ConnectOptions, WsTestClient } from './wsTestClient'

/** Event sockets a test file opens, closed together after each test (before its server stops). */
export function trackedSockets() {
  const open: WsTestClient[] = []
  return {
    /** Connects `account` (resuming from `since` when given) and tracks the socket. */
    async connect(
      account: TestAccount,
      since?: number,
      options: Omit<ConnectOptions, 'since'> = {},
    ): Promise<WsTestClient> {
      const socket = await account.connect(since === undefined ? options : { ...options, since })
      open.push(socket)
      return socket
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((s) => s.close()))
    },
  }
}
