import type { TidingsApi } from '../../shared/ipc'

/**
 * The renderer's IPC client: the preload's `window.tidings`, one function per channel this page
 * may invoke. Stores call it; components never touch IPC themselves (a lint rule keeps it so).
 */
export function ipc(): TidingsApi {
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
