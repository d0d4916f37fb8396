import { create } from 'zustand'
import { ipc } from '../ipcClient'

interface UiStore {
  /** Whether this window has focus (read receipts and toasts depend on it). */
  windowFocused: boolean
  monitorOpen: boolean
  setWindowFocused(focused: boolean): void
  setMonitorOpen(open: boolean): void
  toggleMonitor(): void
  /** Opens (or brings forward) the settings window. */
  openSettings(): Promise<void>
}

export const useUi = create<UiStore>()((set, get) => ({
  windowFocused: true,
  monitorOpen: false,
  setWindowFocused: (windowFocused) => set({ windowFocused }),
  setMonitorOpen: (monitorOpen) => set({ monitorOpen }),
  toggleMonitor: () => set({ monitorOpen: !get().monitorOpen }),
  openSettings: () => ipc()['window/openSettings'](),
}))
