import { create } from 'zustand'
import type { ConnectEmailRequest } from '../../../shared/ipc'
import type { PlatformAccount } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'
import { accountOf } from './session'

/** What is being done to one account right now. */
export type AccountAction = 'sync' | 'disconnect'

interface AccountsStore {
  /** The user's connected accounts, oldest first. Never holds a password. */
  accounts: PlatformAccount[]
  loaded: boolean
  /** Loading the list failed. */
  error: string | null
  connecting: boolean
  /** Why the last connect failed (shown by the form). */
  connectError: string | null
  pending: Record<number, AccountAction>
  /** Why the last action on an account failed. */
  actionErrors: Record<number, string>
  /** Accounts removed here or announced removed: late answers must not bring them back. */
  removedIds: Record<number, true>
  load(): Promise<void>
  /** An account's latest state, from a push or an answer; 'disconnected' removes it. */
  apply(account: PlatformAccount): void
  connectEmail(request: ConnectEmailRequest): Promise<PlatformAccount | null>
  disconnect(accountId: number): Promise<boolean>
  /** "Retry now": fetch new mail now, or reconnect at once when the connection is down. */
  sync(accountId: number): Promise<boolean>
  reset(): void
}

function byCreation(a: PlatformAccount, b: PlatformAccount): number {
  return a.created_at.localeCompare(b.created_at) || a.id - b.id
}

/**
 * Whether `incoming` is not older than `known`. An answer and a push about the same account can
 * arrive in either order; the later state change wins. 'connecting' is only ever the first state
 * after a (re)configuration, so on an equal timestamp any other state is the later one.
 */
export function isNewerAccountState(known: PlatformAccount, incoming: PlatformAccount): boolean {
  const before = Date.parse(known.state_changed_at)
  const after = Date.parse(incoming.state_changed_at)
  if (after !== before) return after > before
  return !(incoming.state === 'connecting' && known.state !== 'connecting')
}

function without<T>(record: Record<number, T>, id: number): Record<number, T> {
  if (!(id in record)) return record
  const next = { ...record }
  delete next[id]
  return next
}

const INITIAL = {
  accounts: [] as PlatformAccount[],
  loaded: false,
  error: null as string | null,
  connecting: false,
  connectError: null as string | null,
  pending: {} as Record<number, AccountAction>,
  actionErrors: {} as Record<number, string>,
  removedIds: {} as Record<number, true>,
}

export const useAccounts = create<AccountsStore>()((set, get) => {
  async function act(accountId: number, action: AccountAction, call: () => Promise<void>) {
    set({
      pending: { ...get().pending, [accountId]: action },
      actionErrors: without(get().actionErrors, accountId),
    })
    try {
      await call()
      return true
    } catch (error) {
      set({ actionErrors: { ...get().actionErrors, [accountId]: errorMessage(error) } })
      return false
    } finally {
      set({ pending: without(get().pending, accountId) })
    }
  }

  return {
    ...INITIAL,
    load: async () => {
      try {
        const list = await ipc()['accounts/list']()
        const removed = get().removedIds
        set({
          accounts: list.filter((a) => !removed[a.id]).sort(byCreation),
          loaded: true,
          error: null,
        })
      } catch (error) {
        set({ error: errorMessage(error) })
      }
    },
    apply: (account) => {
      const { accounts, removedIds } = get()
      if (removedIds[account.id]) return
      if (account.state === 'disconnected') {
        set({
          accounts: accounts.filter((a) => a.id !== account.id),
          removedIds: { ...removedIds, [account.id]: true },
          pending: without(get().pending, account.id),
          actionErrors: without(get().actionErrors, account.id),
        })
        return
      }
      const known = accounts.find((a) => a.id === account.id)
      if (known && !isNewerAccountState(known, account)) return
      const others = accounts.filter((a) => a.id !== account.id)
      set({ accounts: [...others, account].sort(byCreation) })
    },
    connectEmail: async (request) => {
      set({ connecting: true, connectError: null })
      try {
        const account = await ipc()['accounts/connectEmail'](request)
        get().apply(account)
        set({ connecting: false })
        return account
      } catch (error) {
        set({ connecting: false, connectError: errorMessage(error) })
        return null
      }
    },
    disconnect: (accountId) =>
      act(accountId, 'disconnect', async () => {
        await ipc()['accounts/disconnect']({ account_id: accountId })
        const known = get().accounts.find((a) => a.id === accountId)
        if (known) get().apply({ ...known, state: 'disconnected' })
      }),
    sync: (accountId) =>
      act(accountId, 'sync', async () => {
        get().apply(await ipc()['accounts/sync']({ account_id: accountId }))
      }),
    reset: () => set({ ...INITIAL }),
  }
})

/**
 * Keeps the accounts store live in a window: loads it, applies every accounts/changed push,
 * reloads after a resync, and starts over when the signed-in user changes. Returns unsubscribe.
 */
export function initAccounts(): () => void {
  const tidings = ipc()
  let account: string | null | undefined
  const store = () => useAccounts.getState()
  const unsubscribe = [
    tidings.subscribe('accounts/changed', (account) => store().apply(account)),
    tidings.subscribe('events/resync', () => void store().load()),
    // Another user, or another server's (their ids are per server): another list.
    tidings.subscribe('session/changed', (session) => {
      const next = accountOf(session)
      if (next === account) return
      account = next
      store().reset()
      if (next !== null) void store().load()
    }),
  ]
  void tidings['session/get']()
    .then((session) => {
      if (account !== undefined) return
      account = accountOf(session)
      if (account !== null) void store().load()
    })
    .catch((error: unknown) => useAccounts.setState({ error: errorMessage(error) }))
  return () => {
    for (const off of unsubscribe) off()
  }
}
