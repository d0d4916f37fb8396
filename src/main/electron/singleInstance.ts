import { app } from 'electron'

/**
 * Takes the single-instance lock. The first instance gets true and calls `onSecondInstance`
 * whenever the app is launched again (to bring its window forward); a second instance gets
 * false and quits at once.
 */
export function claimSingleInstance(onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  app.on('second-instance', () => onSecondInstance())
  return true
}
