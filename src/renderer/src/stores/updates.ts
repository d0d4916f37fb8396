import { create } from 'zustand'
import type { UpdateState } from '../../../shared/updates'
import { ipc } from '../ipcClient'

interface UpdatesStore {
  /** What main's updater does (src/main/core/updates.ts); nothing to show until it is known. */
  state: UpdateState
  set(state: UpdateState): void
  load(): Promise<void>
  /** "Restart to update" (main window): installs the downloaded update now. */
  restart(): Promise<void>
}

export const useUpdates = create<UpdatesStore>()((set) => ({
  state: { status: 'idle', checked_at: null },
  set: (state) => set({ state }),
  load: async () => {
    try {
      set({ state: await ipc()['updates/get']() })
    } catch {
      // The updater's state is a courtesy: without it the window shows no bar.
    }
  },
  restart: async () => {
    try {
      await ipc()['updates/restart']()
    } catch {
      // Nothing to install after all (or main is quitting): the bar goes with the next state.
    }
  },
}))
