import { Value } from 'typebox/value'
import { INVOKES, PAGE_CHANNELS, isWindowChannel } from '../../shared/ipc'
import type {
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  InvokeResult,
  RendererPage,
  WindowChannel,
} from '../../shared/ipc'
import { CoreError, CoreErrorCode } from './coreError'
import type { CoreApi } from './coreHost'

/**
 * How main answers a page's invoke, Electron-free so the Playwright harness answers exactly as the
 * app does: the page must be one of ours and allowed the channel (PAGE_CHANNELS, from the IPC
 * table in src/shared/ipc.ts), the request must fit the channel's schema, and results and errors
 * travel as InvokeResult data so the error code survives IPC.
 */

/** Error code for a call from a frame that is not one of our pages, or not one allowed it. */
export const UNTRUSTED_SENDER = 'untrusted_sender'

/** The channels the Electron layer answers itself (the IPC table marks them answeredBy 'window'). */
export type WindowHandlers = {
  [C in WindowChannel]: (request: InvokeRequest<C>) => InvokeResponse<C>
}

export interface InvokeAnswerer {
  core: CoreApi
  windows: WindowHandlers
}

/** Answers `channel` for `page` (null: a frame that is not one of our pages). */
export async function answerInvoke(
  answerer: InvokeAnswerer,
  page: RendererPage | null,
  channel: InvokeChannel,
  request: unknown,
): Promise<InvokeResult<unknown>> {
  if (page === null || !PAGE_CHANNELS[page].has(channel)) {
    return {
      ok: false,
      error: { code: UNTRUSTED_SENDER, message: `Refused ${channel} from an untrusted page` },
    }
  }
  try {
    if (isWindowChannel(channel)) {
      // The core checks the requests it answers; these are checked here, the same way.
      assertValidRequest(channel, request)
      return { ok: true, data: answerer.windows[channel](request as InvokeRequest<typeof channel>) }
    }
    const data = await answerer.core.handle(channel, request as InvokeRequest<typeof channel>)
    return { ok: true, data }
  } catch (error) {
    return { ok: false, error: toIpcError(error) }
  }
}

/**
 * Throws invalid_request (naming the first wrong field) unless `request` fits the channel's
 * request schema. The renderer is less trusted than main (it renders remote content), so nothing
 * it sends is used before it passes this.
 */
export function assertValidRequest(channel: InvokeChannel, request: unknown): void {
  const schema = INVOKES[channel].request
  if (Value.Check(schema, request)) return
  const first = [...Value.Errors(schema, request)][0]
  const where = first?.instancePath || '/'
  throw new CoreError(
    CoreErrorCode.InvalidRequest,
    `Invalid ${channel} request at ${where}: ${first?.message ?? 'unexpected value'}`,
  )
}

/** A thrown value as IPC data: its code (CoreError's, the server's) and message. */
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
