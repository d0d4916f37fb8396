import { create } from 'zustand'
import type { ConnectionState } from '../../../shared/ipc'
import { ipc } from '../ipcClient'

interface ConnectionStore {
  state: ConnectionState
  set(state: ConnectionState): void
  load(): Promise<void>
}

export const INITIAL_CONNECTION: ConnectionState = {
  status: 'connecting',
  next_attempt_at: null,
  attempt: 0,
  last_error: null,
}

export const useConnection = create<ConnectionStore>()((set) => ({
  state: INITIAL_CONNECTION,
  set: (state) => set({ state }),
  load: async () => {
    try {
      set({ state: await ipc()['connection/get']() })
    } catch {
      // Keep the last known state; the next `connection/state` push corrects it.
    }
  },
}))
