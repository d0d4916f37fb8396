import { Notification } from 'electron'
import type { BrowserWindow } from 'electron'
import type { NativeNotificationRequest } from '../core/coreHost'

export interface NotifierOptions {
  /** Shows, restores and focuses the main window (creating it if it was closed). */
  showMainWindow(): BrowserWindow
  /**
   * What a click opens, once the window is shown: the notification's server, then its
   * conversation (ServerCoordinator.openNotification).
   */
  open(request: NativeNotificationRequest): void
  iconPath?: string
}

export interface Notifier {
  show(request: NativeNotificationRequest): void
  /** Notifications on screen (kept referenced so they are not garbage-collected). */
  readonly activeCount: number
  closeAll(): void
}

/**
 * Raises native notifications for the core. Each one stays referenced in a map (by tag) until it
 * is clicked or closed: an unreferenced Electron Notification may be garbage-collected and its
 * click lost. A new notification with the same tag replaces the previous one.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const active = new Map<string, Notification>()

  function forget(tag: string, notification: Notification): void {
    if (active.get(tag) === notification) active.delete(tag)
  }

  function show(request: NativeNotificationRequest): void {
    if (!Notification.isSupported()) return
    const notification = new Notification({
      title: request.title,
      body: request.body,
      silent: request.silent,
      ...(options.iconPath ? { icon: options.iconPath } : {}),
    })
    const previous = active.get(request.tag)
    active.set(request.tag, notification)
    notification.on('click', () => {
      forget(request.tag, notification)
      options.showMainWindow()
      options.open(request)
    })
    notification.on('close', () => forget(request.tag, notification))
    notification.on('failed', () => forget(request.tag, notification))
    previous?.close()
    notification.show()
  }

  return {
    show,
    get activeCount() {
      return active.size
    },
    closeAll() {
      for (const notification of [...active.values()]) notification.close()
      active.clear()
    },
  }
}
