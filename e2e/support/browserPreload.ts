// The browser build of the preload used by the Playwright harness: the same `createTidingsApi` as
// the Electron preload, over a transport made of two Playwright bindings instead of ipcRenderer.
import { rendererPageOfPath, type InvokeResult, type PushChannel } from '../../src/shared/ipc'
import { createTidingsApi, type IpcTransport } from '../../src/preload/tidingsApi'

declare global {
  interface Window {
    /** Exposed by the harness (page.exposeBinding): main's ipcMain.handle stand-in. */
    __tidingsInvoke(channel: string, request: unknown): Promise<InvokeResult<unknown>>
    /** Called by the harness (page.evaluate): main's webContents.send stand-in. */
    __tidingsPush(channel: string, payload: unknown): void
  }
}

const listeners = new Map<string, Set<(payload: unknown) => void>>()

window.__tidingsPush = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener(payload)
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
