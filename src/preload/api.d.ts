// The renderer's view of the preload: `window.tidings`. Types come from the shared contract only;
// nothing here refers to Electron.
import type { TidingsApi } from '../shared/ipc'

declare global {
  interface Window {
    tidings: TidingsApi
  }
}

export {}
