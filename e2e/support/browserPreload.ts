// The browser build of the preload used by the Playwright harness: the same `createTidingsApi` as
// the Electron preload, over a transport made of two Playwright bindings instead of ipcRenderer.
import { rendererPageOfPath, type InvokeResult, type PushChannel } from '../../src/shared/ipc'
import { createTidingsApi, type IpcTransport } from '../../src/preload/tidingsApi'

declare global {
  interface Window {
    /** Exposed by the harness (page.exposeBinding): main's ipcMain.handle stand-in. */
    __tidingsInvoke(channel: string, request: unknown): Promise<InvokeResult<unknown>>
    /**
     * Called by the harness (page.evaluate): main's webContents.send stand-in, for the pushes
     * (channel, payload) sent since the last call, in order.
     */
    __tidingsPushAll(pushes: [string, unknown][]): void
  }
}

const listeners = new Map<string, Set<(payload: unknown) => void>>()

// Each push is dispatched in a task of its own, as Electron delivers each IPC message.
const queued: [string, unknown][] = []
const tasks = new MessageChannel()
tasks.port1.onmessage = () => {
  const next = queued.shift()
  if (queued.length > 0) tasks.port2.postMessage(null)
  if (!next) return
  const [channel, payload] = next
  for (const listener of listeners.get(channel) ?? []) listener(payload)
}

window.__tidingsPushAll = (pushes) => {
  const idle = queued.length === 0
  queued.push(...pushes)
  if (idle && queued.length > 0) tasks.port2.postMessage(null)
}

const transport: IpcTransport = {
  invoke: (channel, request) => window.__tidingsInvoke(channel, request),
  listen: (channel: PushChannel, listener) => {
    let set = listeners.get(channel)
    if (!set) listeners.set(channel, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  },
}

Object.defineProperty(window, 'tidings', {
  value: createTidingsApi(transport, rendererPageOfPath(location.pathname)),
  writable: false,
})
