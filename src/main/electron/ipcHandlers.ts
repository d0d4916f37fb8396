import { ipcMain } from 'electron'
import type { IpcMainInvokeEvent } from 'electron'
import { INVOKE_CHANNELS } from '../../shared/ipc'
import type { InvokeChannel, InvokeRequest, InvokeResult } from '../../shared/ipc'
import type { CoreApi } from '../core/coreHost'

export interface IpcHandlerOptions {
  core: CoreApi
  /** Whether a sender frame URL is one of our own pages (see isOwnRendererUrl in paths.ts). */
  isTrustedSender(url: string | null): boolean
  openSettings(): void
}

/** Error code for a call from a frame that is not one of our pages. */
export const UNTRUSTED_SENDER = 'untrusted_sender'

/**
 * Registers one `ipcMain.handle` per invoke channel. Each call is checked against the sender
 * frame's URL, then answered by the core (or here, for window/openSettings); results and errors
 * travel as InvokeResult data so the error code survives IPC. Returns a function removing them.
 */
export function registerIpcHandlers(options: IpcHandlerOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, request: unknown) =>
      answer(options, channel, event, request),
    )
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}

async function answer(
  options: IpcHandlerOptions,
  channel: InvokeChannel,
  event: IpcMainInvokeEvent,
  request: unknown,
): Promise<InvokeResult<unknown>> {
  const url = senderUrl(event)
  if (!options.isTrustedSender(url)) {
    return {
      ok: false,
      error: { code: UNTRUSTED_SENDER, message: `Refused ${channel} from an untrusted page` },
    }
  }
  try {
    if (channel === 'window/openSettings') {
      options.openSettings()
      return { ok: true, data: undefined }
    }
    const data = await options.core.handle(channel, request as InvokeRequest<typeof channel>)
    return { ok: true, data }
  } catch (error) {
    return { ok: false, error: toIpcError(error) }
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

export function toIpcError(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const record = error as { code?: unknown; message?: unknown }
    const code = typeof record.code === 'string' && record.code ? record.code : 'internal_error'
    const message =
      typeof record.message === 'string' && record.message ? record.message : 'Unexpected error'
    return { code, message }
  }
  return { code: 'internal_error', message: String(error) }
}
