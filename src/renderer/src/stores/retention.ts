import { create } from 'zustand'
import type { RetentionPolicy } from '../../../shared/models'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  forever: { id: 'retention.policy.forever', defaultMessage: 'Messages are kept forever.' },
  days: {
    id: 'retention.policy.days',
    defaultMessage:
      'Messages and their files are deleted {days, plural, one {# day} other {# days}} after they were sent.',
  },
  saved: { id: 'retention.saved', defaultMessage: 'Saved. {policy}' },
})

/** The message retention policy as the settings window shows it (admins only). */
interface RetentionStore {
  /** Null until loaded (and for members, who are not told it). */
  policy: RetentionPolicy | null
  busy: boolean
  error: string | null
  /** The last success, in words for the user. */
  done: string | null
  load(): Promise<void>
  /** True when the server took the new policy. */
  save(days: number | null): Promise<boolean>
  clearMessages(): void
}

/** The policy in words, in the window's language. */
export function retentionText(days: number | null): string {
  if (days === null) return translate(messages.forever)
  return translate(messages.days, { days })
}

export const useRetention = create<RetentionStore>()((set) => ({
  policy: null,
  busy: false,
  error: null,
  done: null,
  load: async () => {
    try {
      set({ policy: await ipc()['admin/getRetention'](), error: null })
    } catch (error) {
      set({ error: errorMessage(error) })
    }
  },
  save: async (days) => {
    set({ busy: true, error: null, done: null })
    try {
      const policy = await ipc()['admin/setRetention']({ message_retention_days: days })
      set({
        policy,
        busy: false,
        done: translate(messages.saved, { policy: retentionText(policy.message_retention_days) }),
      })
      return true
    } catch (error) {
      set({ busy: false, error: errorMessage(error) })
      return false
    }
  },
  clearMessages: () => set({ error: null, done: null }),
}))
