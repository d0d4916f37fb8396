// Sandboxed preload (built as CommonJS: out/preload/index.cjs). Exposes `window.tidings`: one
// function per channel this page may invoke plus `on` and `subscribe` (src/shared/ipc.ts);
// ipcRenderer itself never crosses over, and listeners receive only payloads, never the
// IpcRendererEvent (whose `sender` is ipcRenderer).
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { rendererPageOfPath } from '../shared/ipc'
import type { InvokeResult } from '../shared/ipc'
import { createTidingsApi } from './tidingsApi'
import type { IpcTransport } from './tidingsApi'

const transport: IpcTransport = {
  invoke: (channel, request) =>
    ipcRenderer.invoke(channel, request) as Promise<InvokeResult<unknown>>,
  listen(channel, listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  },
}

// The page this preload runs for, by its URL's path (main checks the whole URL on every call).
const { location } = globalThis as { location?: { pathname: string } }
const page = rendererPageOfPath(location?.pathname ?? '')
contextBridge.exposeInMainWorld('tidings', createTidingsApi(transport, page))
