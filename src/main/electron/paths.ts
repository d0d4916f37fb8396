import { statSync } from 'node:fs'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { contentType } from 'mime-types'
import {
  RENDERER_PAGES,
  rendererPageOfPath,
  type ConnectionStatus,
  type RendererPage,
} from '../../shared/ipc'

/**
 * Electron-free path and URL rules for the desktop shell, kept pure so they are tested without
 * Electron. `appPath` is `app.getAppPath()`: the project root in development (the folder holding
 * package.json) and `<resources>/app.asar` in a packaged build.
 */

export interface AppLayout {
  appPath: string
  isPackaged: boolean
  /** `process.resourcesPath`: the folder holding app.asar (and app.asar.unpacked) when packaged. */
  resourcesPath: string
}

/** The built files, relative to the app root (see electron.vite.config.ts). */
export const BUILT = {
  mainDir: 'out/main',
  serverEntry: 'out/main/serverProcess.js',
  preload: 'out/preload/index.cjs',
  rendererDir: 'out/renderer',
} as const

/**
 * Where the bundled-server entry lives. In development it is `out/main/serverProcess.js` under the
 * project root. Packaged, it is inside app.asar, unless the packager unpacked it, in which case the
 * `app.asar.unpacked` copy wins (`exists` tells which is present).
 */
export function resolveServerEntry(
  layout: AppLayout,
  exists: (path: string) => boolean = () => false,
): string {
  if (!layout.isPackaged) return join(layout.appPath, BUILT.serverEntry)
  const unpacked = join(unpackedAppPath(layout.appPath), BUILT.serverEntry)
  if (exists(unpacked)) return unpacked
  return join(layout.appPath, BUILT.serverEntry)
}

/** `/x/resources/app.asar` → `/x/resources/app.asar.unpacked`; other paths are returned as is. */
export function unpackedAppPath(appPath: string): string {
  return appPath.replace(/app\.asar(?=$|[\\/])/, 'app.asar.unpacked')
}

export function resolvePreloadPath(layout: AppLayout): string {
  return join(layout.appPath, BUILT.preload)
}

export function resolveRendererDir(layout: AppLayout): string {
  return join(layout.appPath, BUILT.rendererDir)
}

/**
 * Icons and tray images ship next to app.asar (electron-builder `extraResources`), so the OS can
 * read them as plain files; in development they are in `resources/` under the project root.
 */
export function resolveResourcesDir(layout: AppLayout): string {
  return layout.isPackaged ? layout.resourcesPath : join(layout.appPath, 'resources')
}

export type TrayState = 'connected' | 'reconnecting' | 'offline'

/** The tray image for a connection status: three pictures cover the five statuses. */
export function trayStateFor(status: ConnectionStatus): TrayState {
  switch (status) {
    case 'connected':
      return 'connected'
    case 'connecting':
    case 'reconnecting':
      return 'reconnecting'
    case 'offline':
    case 'signed_out':
      return 'offline'
  }
}

export function trayIconPath(resourcesDir: string, state: TrayState): string {
  // Electron picks `<name>@2x.png` next to it on high-density screens.
  return join(resourcesDir, 'tray', `${state}.png`)
}

/**
 * The built pages are served from a privileged custom scheme rather than file:// (Electron's
 * security checklist): on a file:// page Chromium's CSP 'self' can match other local files, and
 * any local file would carry a file URL. `app://tidings/<path>` is one origin of its own, served
 * only from out/renderer (appProtocol.ts registers it; resolveRendererFile says what it serves).
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'tidings'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * The URL a window loads: the dev server's page while `electron-vite dev` runs (it sets
 * ELECTRON_RENDERER_URL), else the built page on the app scheme, e.g. `app://tidings/index.html`.
 */
export function rendererPageUrl(page: RendererPage, devServerUrl: string | null): string {
  if (devServerUrl) return new URL(page, ensureTrailingSlash(devServerUrl)).href
  return `${APP_ORIGIN}/${page}`
}

export interface TrustedRenderer {
  devServerUrl: string | null
}

/**
 * Which of our pages an IPC sender's frame URL is: exactly `app://tidings/index.html` or
 * `app://tidings/settings.html`, or that page on the dev server's origin while developing. Query
 * and fragment are ignored; anything else (file URLs, other app:// hosts or paths, other
 * dev-server paths, remote pages, about:blank, data:) is null.
 */
export function ownRendererPage(
  url: string | null | undefined,
  trusted: TrustedRenderer,
): RendererPage | null {
  if (!url) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol === `${APP_SCHEME}:`) {
    if (parsed.username || parsed.password) return null
    const bare = `${parsed.protocol}//${parsed.host}${parsed.pathname}`
    return RENDERER_PAGES.find((page) => bare === rendererPageUrl(page, null)) ?? null
  }
  if (trusted.devServerUrl && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    let dev: URL
    try {
      dev = new URL(trusted.devServerUrl)
    } catch {
      return null
    }
    if (parsed.origin !== dev.origin) return null
    return rendererPageOfPath(parsed.pathname)
  }
  return null
}

/** Whether an IPC sender's frame URL is one of our own pages (see ownRendererPage). */
export function isOwnRendererUrl(
  url: string | null | undefined,
  trusted: TrustedRenderer,
): boolean {
  return ownRendererPage(url, trusted) !== null
}

/** Whether `path` is a regular file (not a folder, not missing). Works inside app.asar too. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * The file an app-scheme request is answered with, or null (the handler then answers 404). Only
 * `app://tidings/<path>` is served, and only a regular file inside `rendererDir`:
 * - another scheme or host (a port, credentials, `app://evil/…`) is refused;
 * - the path is percent-decoded once, then every segment must be a plain name: no empty segment
 *   (`//etc/passwd`, a trailing slash), no `.` or `..` (also when encoded, `..%2f`, `%2e%2e`), no
 *   backslash, colon (a Windows drive or stream) or NUL;
 * - the result must still resolve inside `rendererDir` (checked again after joining);
 * - folders are never served, so `app://tidings/` and `app://tidings/assets` are refused.
 * Chromium already removes dot segments from a standard scheme's URL; the checks here do not
 * rely on that. `isFile` is the file-system check (a parameter for tests).
 */
export function resolveRendererFile(
  url: string,
  rendererDir: string,
  isFile: (path: string) => boolean = isRegularFile,
): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null
  if (parsed.username || parsed.password) return null
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  if (!path.startsWith('/')) return null
  const segments = path.slice(1).split('/')
  if (segments.some((segment) => !isPlainSegment(segment))) return null
  const root = resolve(rendererDir)
  const file = resolve(root, ...segments)
  const inside = relative(root, file)
  if (!inside || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return null
  return isFile(file) ? file : null
}

function isPlainSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[\\:\0]/.test(segment)
}

/** The Content-Type for a built renderer file, by extension (unknown ones are opaque bytes). */
export function contentTypeFor(path: string): string {
  return contentType(basename(path)) || 'application/octet-stream'
}

// Shared with the renderer, which links only the URLs main will open.
export { isSafeExternalUrl } from '../../shared/links'

/**
 * The remote server chosen on the command line: `--server-url=<url>` or `--server-url <url>`.
 * Returns null when absent; throws when the value is not an http(s) URL.
 */
export function parseServerUrlArg(argv: readonly string[]): string | null {
  let value: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === undefined) continue
    if (arg.startsWith('--server-url=')) value = arg.slice('--server-url='.length)
    else if (arg === '--server-url') value = argv[i + 1]
  }
  if (value === undefined || value === '') return null
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new Error(`--server-url is not a valid URL: ${value}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`--server-url must be an http(s) URL: ${value}`)
  }
  return parsed.origin + parsed.pathname.replace(/\/+$/, '')
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`
}
