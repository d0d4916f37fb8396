import { create } from 'zustand'
import type { Branding } from '../../../shared/models'
import { resolveZone } from '../../../shared/time'
import { ipc, errorMessage } from '../ipcClient'

interface BrandingStore {
  branding: Branding
  loaded: boolean
  saving: boolean
  error: string | null
  set(branding: Branding): void
  setTimezone(timezone: string): void
  load(): Promise<void>
  /** Admins only: changes the organization timezone on the server. */
  save(timezone: string): Promise<boolean>
}

export const DEFAULT_BRANDING: Branding = { timezone: 'UTC', organization_name: 'Tidings' }

export const useBranding = create<BrandingStore>()((set, get) => ({
  branding: DEFAULT_BRANDING,
  loaded: false,
  saving: false,
  error: null,
  set: (branding) => set({ branding, loaded: true }),
  setTimezone: (timezone) => set({ branding: { ...get().branding, timezone } }),
  load: async () => {
    try {
      set({ branding: await ipc()['branding/get'](), loaded: true })
    } catch (error) {
      set({ error: errorMessage(error) })
    }
  },
  save: async (timezone) => {
    set({ saving: true, error: null })
    try {
      const branding = await ipc()['branding/set']({ timezone })
      set({ branding, saving: false })
      return true
    } catch (error) {
      set({ saving: false, error: errorMessage(error) })
      return false
    }
  },
}))

/** The organization timezone every time is shown in (UTC when unset or unknown). */
export function useTimezone(): string {
  return resolveZone(useBranding((s) => s.branding.timezone))
}
