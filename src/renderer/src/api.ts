import type { TidingsApi } from '../../shared/ipc'

/**
 * The renderer's one boundary to the app core: the preload's `window.tidings`. Stores call this;
 * components never touch IPC themselves.
 */
export function api(): TidingsApi {
  const tidings = (globalThis as { window?: { tidings?: TidingsApi } }).window?.tidings
  if (!tidings) throw new Error('window.tidings is not available (preload did not run)')
  return tidings
}

/** A readable message for an invoke failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error)
    return error.message.replace(/^Error invoking remote method '[^']+': /, '')
  if (typeof error === 'object' && error && 'message' in error) return String(error.message)
  return String(error)
}
