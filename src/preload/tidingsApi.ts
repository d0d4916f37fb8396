// Builds the `window.tidings` object over a transport. Electron-free: the preload (index.ts)
// supplies a transport on ipcRenderer, and the Playwright browser harness one on page bindings.
import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../shared/ipc'
import type { InvokeChannel, InvokeResult, PushChannel, TidingsApi } from '../shared/ipc'

/** How the API reaches main: an invoke answering InvokeResult, and push listeners. */
export interface IpcTransport {
  invoke(channel: InvokeChannel, request: unknown): Promise<InvokeResult<unknown>>
  /** Calls `listener` with each push payload (only the payload); returns unsubscribe. */
  listen(channel: PushChannel, listener: (payload: unknown) => void): () => void
}

/** An error from main with its machine-readable code (see InvokeResult). */
export class TidingsIpcError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'TidingsIpcError'
    this.code = code
  }
}

const PUSH_CHANNEL_SET: ReadonlySet<string> = new Set(PUSH_CHANNELS)

export function createTidingsApi(transport: IpcTransport): TidingsApi {
  async function invoke(channel: InvokeChannel, request: unknown): Promise<unknown> {
    const result = (await transport.invoke(channel, request)) as InvokeResult<unknown> | undefined
    if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
      throw new TidingsIpcError('bad_response', `Malformed response on ${channel}`)
    }
    if (result.ok) return result.data
    throw new TidingsIpcError(result.error.code, result.error.message)
  }

  const api: Record<string, unknown> = {}
  for (const channel of INVOKE_CHANNELS) {
    api[channel] = (request?: unknown) => invoke(channel, request)
  }
  api.on = (type: string, listener: (event: unknown) => void): (() => void) => {
    if (typeof type !== 'string') throw new TypeError('on(type, listener): type must be a string')
    if (typeof listener !== 'function') throw new TypeError('on(type, listener): bad listener')
    return transport.listen('events/event', (payload) => {
      const eventType = (payload as { type?: unknown } | null)?.type
      if (type === '*' || eventType === type) listener(payload)
    })
  }
  api.subscribe = (channel: string, listener: (payload: unknown) => void): (() => void) => {
    if (!PUSH_CHANNEL_SET.has(channel)) throw new TypeError(`Unknown push channel: ${channel}`)
    if (typeof listener !== 'function') {
      throw new TypeError('subscribe(channel, listener): bad listener')
    }
    return transport.listen(channel as PushChannel, listener)
  }
  return Object.freeze(api) as unknown as TidingsApi
}
