import { create } from 'zustand'
import type { AuditKind } from '../../../shared/audit'
import type { AuditEntry } from '../../../shared/models'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  exported: { id: 'audit.exported', defaultMessage: 'Exported.' },
})

/** Entries fetched per page ("Show older" fetches the next). */
const PAGE_SIZE = 50

export interface AuditFilters {
  user_id?: number
  kind?: AuditKind
}

/**
 * The settings window's Audit log section (administrators only): pages of entries newest first,
 * filtered by person and kind, and the CSV export of the same filter (main asks where to save).
 */
interface AuditLogStore {
  entries: AuditEntry[]
  filters: AuditFilters
  /** The `before` of the next older page; null when there is none. */
  nextBefore: number | null
  loaded: boolean
  busy: boolean
  error: string | null
  /** The export's outcome, in words for the user. */
  exported: string | null
  /** Loads the newest page for these filters (the current ones when omitted). */
  load(filters?: AuditFilters): Promise<void>
  loadOlder(): Promise<void>
  exportCsv(): Promise<void>
  reset(): void
}

const EMPTY = {
  entries: [],
  filters: {},
  nextBefore: null,
  loaded: false,
  busy: false,
  error: null,
  exported: null,
} satisfies Partial<AuditLogStore>

export const useAuditLog = create<AuditLogStore>()((set, get) => {
  async function page(filters: AuditFilters, before?: number) {
    const query: AuditFilters & { before?: number; limit: number } = {
      ...filters,
      limit: PAGE_SIZE,
    }
    if (before !== undefined) query.before = before
    return ipc()['admin/listAudit'](query)
  }
  return {
    ...EMPTY,
    load: async (filters = get().filters) => {
      set({ busy: true, error: null, filters })
      try {
        const answer = await page(filters)
        // A later filter change may have finished first: only the current filters' page shows.
        if (get().filters !== filters) return
        set({ entries: answer.entries, nextBefore: answer.next_before, loaded: true, busy: false })
      } catch (error) {
        set({ busy: false, loaded: true, error: errorMessage(error) })
      }
    },
    loadOlder: async () => {
      const { filters, nextBefore } = get()
      if (nextBefore === null) return
      set({ busy: true, error: null })
      try {
        const answer = await page(filters, nextBefore)
        if (get().filters !== filters) return
        set({
          entries: [...get().entries, ...answer.entries],
          nextBefore: answer.next_before,
          busy: false,
        })
      } catch (error) {
        set({ busy: false, error: errorMessage(error) })
      }
    },
    exportCsv: async () => {
      set({ error: null, exported: null })
      try {
        const { saved } = await ipc()['admin/exportAudit']({ ...get().filters })
        set({
          exported: saved ? translate(messages.exported) : null,
        })
      } catch (error) {
        set({ error: errorMessage(error) })
      }
    },
    reset: () => set(EMPTY),
  }
})
