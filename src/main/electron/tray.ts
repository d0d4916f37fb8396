import { Menu, Tray, nativeImage } from 'electron'
import type { MenuItemConstructorOptions } from 'electron'
import type { ConnectionStatus } from '../../shared/ipc'
import type { DoNotDisturb } from '../../shared/preferences'
import { trayStateFor } from './paths'
import type { TrayState } from './paths'

export interface AppTrayOptions {
  iconPath(state: TrayState): string
  onOpen(): void
  onSettings(): void
  onDoNotDisturb(enabled: boolean): void
  onQuit(): void
}

export interface AppTray {
  setConnection(status: ConnectionStatus): void
  setUnread(count: number): void
  setDoNotDisturb(enabled: boolean): void
  destroy(): void
}

const STATUS_LABEL: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  signed_out: 'Signed out',
}

/** The tray tooltip: product, unread count when any, and connection status. */
export function trayTooltip(status: ConnectionStatus, unread: number): string {
  const unreadText = unread === 1 ? '1 unread message' : `${unread} unread messages`
  return unread > 0
    ? `Tidings: ${unreadText} (${STATUS_LABEL[status]})`
    : `Tidings (${STATUS_LABEL[status]})`
}

/** Whether do-not-disturb is switched on by hand right now (the tray checkbox). */
export function isDoNotDisturbOn(dnd: DoNotDisturb, now: Date = new Date()): boolean {
  if (dnd.mode === 'on') return true
  if (dnd.mode === 'until') return dnd.until !== null && Date.parse(dnd.until) > now.getTime()
  return false
}

/** The preferences change the tray checkbox makes; a schedule survives switching it off. */
export function doNotDisturbToggled(dnd: DoNotDisturb, enabled: boolean): DoNotDisturb {
  return enabled ? { ...dnd, mode: 'on', until: null } : { ...dnd, mode: 'off', until: null }
}

export function createAppTray(options: AppTrayOptions): AppTray {
  let status: ConnectionStatus = 'connecting'
  let unread = 0
  let dnd = false
  let shownState: TrayState | null = null
  const tray = new Tray(nativeImage.createFromPath(options.iconPath(trayStateFor(status))))
  shownState = trayStateFor(status)
  tray.on('click', () => options.onOpen())

  function template(): MenuItemConstructorOptions[] {
    return [
      { id: 'open', label: 'Open Tidings', click: () => options.onOpen() },
      { id: 'settings', label: 'Settings…', click: () => options.onSettings() },
      { type: 'separator' },
      {
        id: 'dnd',
        label: 'Do not disturb',
        type: 'checkbox',
        checked: dnd,
        click: (item) => options.onDoNotDisturb(item.checked),
      },
      { type: 'separator' },
      { id: 'quit', label: 'Quit Tidings', click: () => options.onQuit() },
    ]
  }

  function render(): void {
    if (tray.isDestroyed()) return
    const state = trayStateFor(status)
    if (state !== shownState) {
      tray.setImage(nativeImage.createFromPath(options.iconPath(state)))
      shownState = state
    }
    tray.setToolTip(trayTooltip(status, unread))
    tray.setContextMenu(Menu.buildFromTemplate(template()))
  }

  render()

  return {
    setConnection(next) {
      status = next
      render()
    },
    setUnread(count) {
      unread = Math.max(0, count)
      render()
    },
    setDoNotDisturb(enabled) {
      dnd = enabled
      render()
    },
    destroy() {
      if (!tray.isDestroyed()) tray.destroy()
    },
  }
}
