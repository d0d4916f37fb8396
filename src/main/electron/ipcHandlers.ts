import { ipcMain } from 'electron'
import type { IpcMainInvokeEvent } from 'electron'
import { INVOKE_CHANNELS } from '../../shared/ipc'
import type { RendererPage } from '../../shared/ipc'
import type { CoreApi } from '../core/coreHost'
import { answerInvoke, type InvokeAnswerer } from '../core/ipcRequests'

export interface IpcHandlerOptions {
  core: CoreApi
  /** Which of our pages a sender frame URL is, null when none (see ownRendererPage in paths.ts). */
  senderPage(url: string | null): RendererPage | null
  openSettings(): void
}

/**
 * Registers one `ipcMain.handle` per invoke channel. Each call's sender frame URL names its page,
 * and answerInvoke (src/main/core/ipcRequests.ts) answers it: only the channels that page may
 * call, by the core or, for the window channels, here. Returns a function removing them.
 */
export function registerIpcHandlers(options: IpcHandlerOptions): () => void {
  const answerer: InvokeAnswerer = {
    core: options.core,
    windows: { 'window/openSettings': () => options.openSettings() },
  }
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, request: unknown) =>
      answerInvoke(answerer, options.senderPage(senderUrl(event)), channel, request),
    )
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}

function senderUrl(event: IpcMainInvokeEvent): string | null {
  try {
    // senderFrame is null once the frame navigated away or was destroyed.
    return event.senderFrame?.url ?? null
  } catch {
    return null
  }
}
