import { net, powerMonitor } from 'electron'

export interface PowerEventsOptions {
  /** Reconnect at once, skipping any backoff wait. */
  reconnectNow(): void
  /**
   * Reports the OS network state (at start and on every change). The core goes offline on false
   * and reconnects on true. Omit it (the bundled server on 127.0.0.1 does not need the network)
   * and a return of the network simply triggers reconnectNow.
   */
  setNetworkOnline?(online: boolean): void
  /** How often to sample net.isOnline(); Electron's main process has no online/offline event. */
  pollIntervalMs?: number
}

/**
 * Reconnects when the machine resumes from sleep or the screen is unlocked, and follows the
 * network going away and coming back. Returns a function that stops watching.
 */
export function watchPowerEvents(options: PowerEventsOptions): () => void {
  const reconnect = (): void => options.reconnectNow()
  powerMonitor.on('resume', reconnect)
  powerMonitor.on('unlock-screen', reconnect)
  let online = net.isOnline()
  options.setNetworkOnline?.(online)
  const timer = setInterval(() => {
    const now = net.isOnline()
    if (now === online) return
    online = now
    if (options.setNetworkOnline) options.setNetworkOnline(now)
    else if (now) reconnect()
  }, options.pollIntervalMs ?? 5_000)
  timer.unref?.()
  return () => {
    clearInterval(timer)
    powerMonitor.removeListener('resume', reconnect)
    powerMonitor.removeListener('unlock-screen', reconnect)
  }
}
