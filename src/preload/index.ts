// Sandboxed preload (built as CommonJS: out/preload/index.cjs). Exposes `window.tidings`, one
// function per invoke channel plus `on` and `subscribe`; ipcRenderer itself never crosses over,
// and listeners receive only payloads, never the IpcRendererEvent (whose `sender` is ipcRenderer).
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
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

contextBridge.exposeInMainWorld('tidings', createTidingsApi(transport))
