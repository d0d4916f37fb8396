/// <reference types="vite/client" />
import type { TidingsApi } from '../../shared/ipc'

declare global {
  interface Window {
    /** Exposed by the preload through contextBridge; the renderer's only way to the app core. */
    tidings: TidingsApi
  }
}

export {}
