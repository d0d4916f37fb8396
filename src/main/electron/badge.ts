import { app, nativeImage } from 'electron'
import type { BrowserWindow, NativeImage } from 'electron'

export interface BadgeOptions {
  platform: NodeJS.Platform
  getMainWindow(): BrowserWindow | null
  /** A small dot image for the Windows taskbar overlay. */
  overlayIconPath: string
}

export interface Badge {
  setUnread(count: number): void
}

/**
 * The unread count on the dock (macOS) or launcher (Linux, Unity-style) via app.setBadgeCount,
 * and as a taskbar overlay icon on Windows, where badge counts do not exist.
 */
export function createBadge(options: BadgeOptions): Badge {
  let overlay: NativeImage | null = null
  return {
    setUnread(count) {
      const unread = Math.max(0, Math.floor(count))
      if (options.platform === 'win32') {
        const win = options.getMainWindow()
        if (!win) return
        if (unread === 0) {
          win.setOverlayIcon(null, '')
        } else {
          overlay ??= nativeImage.createFromPath(options.overlayIconPath)
          win.setOverlayIcon(
            overlay,
            unread === 1 ? '1 unread message' : `${unread} unread messages`,
          )
        }
        return
      }
      app.setBadgeCount(unread)
    },
  }
}
