import { create } from 'zustand'
import type { DataExportProgress } from '../../../shared/ipc'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { ipc, errorMessage } from '../ipcClient'
import { currentTranslator, translate } from './locale'
import { humanSize } from './pendingAttachments'

const messages = defineMessages({
  saved: { id: 'dataExport.saved', defaultMessage: 'Saved ({size}).' },
  notSaved: { id: 'dataExport.notSaved', defaultMessage: 'Not saved.' },
})

/** "Export my data" as the settings window shows it. */
interface DataExportStore {
  busy: boolean
  /** Bytes received so far while an export is saved. */
  received: number
  error: string | null
  /** The outcome, in words for the user. */
  done: string | null
  /** Asks main to save the export (main shows the save dialog). */
  start(): Promise<void>
  /** A session/exportProgress push. */
  progress(progress: DataExportProgress): void
}

export const useDataExport = create<DataExportStore>()((set) => ({
  busy: false,
  received: 0,
  error: null,
  done: null,
  start: async () => {
    set({ busy: true, received: 0, error: null, done: null })
    try {
      const result = await ipc()['session/exportData']()
      set({
        busy: false,
        done: result.saved
          ? translate(messages.saved, { size: humanSize(result.bytes, currentTranslator()) })
          : translate(messages.notSaved),
      })
    } catch (error) {
      set({ busy: false, error: errorMessage(error) })
    }
  },
  progress: ({ state, bytes }) => {
    if (state === 'receiving') set({ received: bytes })
  },
}))
