// Builds the `window.tidings` object of one page over a transport. Electron-free: the preload
// (index.ts) supplies a transport on ipcRenderer, and the Playwright browser harness one on page
// bindings.
import { PAGE_CHANNELS, PUSHES, PUSH_CHANNELS } from '../shared/ipc'
import type { InvokeChannel, InvokeResult, PageApi, PushChannel, RendererPage } from '../shared/ipc'

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

/**
 * The API of `page`, from the IPC table: a function for each channel the page may invoke (and no
 * other: main refuses those anyway), `on` for stream events and `subscribe` for the pushes the
 * page is sent. A page that is not ours (null) gets no channel at all.
 */
export function createTidingsApi<P extends RendererPage>(
  transport: IpcTransport,
  page: P | null,
): PageApi<P> {
  async function invoke(channel: InvokeChannel, request: unknown): Promise<unknown> {
    const result = (await transport.invoke(channel, request)) as InvokeResult<unknown> | undefined
    if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
      throw new TidingsIpcError('bad_response', `Malformed response on ${channel}`)
    }
    if (result.ok) return result.data
    throw new TidingsIpcError(result.error.code, result.error.message)
  }

  const sentHere = (channel: PushChannel): boolean =>
    page !== null && (PUSHES[channel].pages as readonly RendererPage[]).includes(page)

  const api: Record<string, unknown> = {}
  for (const channel of page === null ? [] : PAGE_CHANNELS[page]) {
    api[channel] = (request?: unknown) => invoke(channel, request)
  }
  api.on = (type: string, listener: (event: unknown) => void): (() => void) => {
    if (typeof type !== 'string') throw new TypeError('on(type, listener): type must be a string')
    if (typeof listener !== 'function') throw new TypeError('on(type, listener): bad listener')
    if (!sentHere('events/event')) return () => undefined
    return transport.listen('events/event', (payload) => {
      const eventType = (payload as { type?: unknown } | null)?.type
      if (type === '*' || eventType === type) listener(payload)
    })
  }
  api.subscribe = (channel: string, listener: (payload: unknown) => void): (() => void) => {
    if (!PUSH_CHANNEL_SET.has(channel)) throw new TypeError(`Unknown push channel: ${channel}`)
    if (!sentHere(channel as PushChannel)) {
      throw new TypeError(`Push channel ${channel} is not sent to ${page ?? 'this page'}`)
    }
    if (typeof listener !== 'function') {
      throw new TypeError('subscribe(channel, listener): bad listener')
    }
    return transport.listen(channel as PushChannel, listener)
  }
  return Object.freeze(api) as unknown as PageApi<P>
}
