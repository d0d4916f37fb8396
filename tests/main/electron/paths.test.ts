import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  isOwnRendererUrl,
  isSafeExternalUrl,
  parseServerUrlArg,
  rendererPageUrl,
  resolvePreloadPath,
  resolveResourcesDir,
  resolveServerEntry,
  trayIconPath,
  trayStateFor,
  unpackedAppPath,
} from '../../../src/main/electron/paths'

const dev = { appPath: '/home/me/tidings', isPackaged: false, resourcesPath: '/opt/electron' }
const packaged = {
  appPath: '/opt/Tidings/resources/app.asar',
  isPackaged: true,
  resourcesPath: '/opt/Tidings/resources',
}

describe('resolveServerEntry', () => {
  it('uses out/main/serverProcess.js under the project root in development', () => {
    expect(resolveServerEntry(dev)).toBe('/home/me/tidings/out/main/serverProcess.js')
  })

  it('uses the copy inside app.asar when packaged and nothing is unpacked', () => {
    expect(resolveServerEntry(packaged, () => false)).toBe(
      '/opt/Tidings/resources/app.asar/out/main/serverProcess.js',
    )
  })

  it('prefers an app.asar.unpacked copy when the packager unpacked it', () => {
    const seen: string[] = []
    const entry = resolveServerEntry(packaged, (path) => {
      seen.push(path)
      return path.includes('app.asar.unpacked')
    })
    expect(entry).toBe('/opt/Tidings/resources/app.asar.unpacked/out/main/serverProcess.js')
    expect(seen).toEqual([entry])
  })

  it('maps only the app.asar path segment to app.asar.unpacked', () => {
    expect(unpackedAppPath('/x/app.asar')).toBe('/x/app.asar.unpacked')
    expect(unpackedAppPath('C:\\T\\resources\\app.asar\\out')).toBe(
      'C:\\T\\resources\\app.asar.unpacked\\out',
    )
    expect(unpackedAppPath('/x/app.asarx/y')).toBe('/x/app.asarx/y')
  })
})

describe('other built paths', () => {
  it('points the preload at the CommonJS build', () => {
    expect(resolvePreloadPath(dev)).toBe('/home/me/tidings/out/preload/index.cjs')
    expect(resolvePreloadPath(packaged)).toBe(
      '/opt/Tidings/resources/app.asar/out/preload/index.cjs',
    )
  })

  it('finds icons in resources/ in development and next to app.asar when packaged', () => {
    expect(resolveResourcesDir(dev)).toBe('/home/me/tidings/resources')
    expect(resolveResourcesDir(packaged)).toBe('/opt/Tidings/resources')
    expect(trayIconPath('/r', 'offline')).toBe(join('/r', 'tray', 'offline.png'))
  })

  it('maps the five connection statuses onto three tray pictures', () => {
    expect(trayStateFor('connected')).toBe('connected')
    expect(trayStateFor('connecting')).toBe('reconnecting')
    expect(trayStateFor('reconnecting')).toBe('reconnecting')
    expect(trayStateFor('offline')).toBe('offline')
    expect(trayStateFor('signed_out')).toBe('offline')
  })
})

describe('isOwnRendererUrl', () => {
  const rendererDir = '/home/me/tidings/out/renderer'
  const built = { rendererDir, devServerUrl: null }
  const devServer = { rendererDir, devServerUrl: 'http://localhost:5173' }
  const indexUrl = pathToFileURL(join(rendererDir, 'index.html')).href

  it('accepts the built pages, with or without query and hash', () => {
    expect(isOwnRendererUrl(indexUrl, built)).toBe(true)
    expect(isOwnRendererUrl(`${indexUrl}#/conversations/3`, built)).toBe(true)
    expect(isOwnRendererUrl(pathToFileURL(join(rendererDir, 'settings.html')).href, built)).toBe(
      true,
    )
  })

  it('refuses other files, remote pages and empty senders', () => {
    expect(isOwnRendererUrl(pathToFileURL('/tmp/evil/index.html').href, built)).toBe(false)
    expect(isOwnRendererUrl(pathToFileURL(join(rendererDir, 'other.html')).href, built)).toBe(false)
    expect(isOwnRendererUrl('https://example.com/index.html', built)).toBe(false)
    expect(isOwnRendererUrl('http://localhost:5173/index.html', built)).toBe(false)
    expect(isOwnRendererUrl('about:blank', built)).toBe(false)
    expect(isOwnRendererUrl('', built)).toBe(false)
    expect(isOwnRendererUrl(null, built)).toBe(false)
    expect(isOwnRendererUrl('not a url', built)).toBe(false)
  })

  it('accepts the dev server origin only while developing', () => {
    expect(isOwnRendererUrl('http://localhost:5173/settings.html', devServer)).toBe(true)
    expect(isOwnRendererUrl('http://localhost:5174/index.html', devServer)).toBe(false)
    expect(isOwnRendererUrl('http://127.0.0.1:5173/index.html', devServer)).toBe(false)
  })

  it('builds page URLs that it accepts', () => {
    expect(rendererPageUrl('index.html', rendererDir, null)).toBe(indexUrl)
    expect(rendererPageUrl('settings.html', rendererDir, 'http://localhost:5173')).toBe(
      'http://localhost:5173/settings.html',
    )
    for (const page of ['index.html', 'settings.html'] as const) {
      expect(isOwnRendererUrl(rendererPageUrl(page, rendererDir, null), built)).toBe(true)
    }
  })
})

describe('isSafeExternalUrl', () => {
  it('allows plain http(s) links', () => {
    expect(isSafeExternalUrl('https://example.com/a?b=c')).toBe(true)
    expect(isSafeExternalUrl('http://example.com')).toBe(true)
  })

  it('refuses other schemes, credentials and garbage', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'ms-msdt:/id',
      'https://user:pass@example.com',
      'data:text/html,hi',
      'example.com',
      '',
    ]) {
      expect(isSafeExternalUrl(url), url).toBe(false)
    }
  })
})

describe('parseServerUrlArg', () => {
  it('reads both --server-url forms and normalises the URL', () => {
    expect(parseServerUrlArg(['electron', '.', '--server-url=https://chat.example.com/'])).toBe(
      'https://chat.example.com',
    )
    expect(parseServerUrlArg(['x', '--server-url', 'http://10.0.0.2:8000'])).toBe(
      'http://10.0.0.2:8000',
    )
  })

  it('returns null without the flag', () => {
    expect(parseServerUrlArg(['electron', '.'])).toBeNull()
    expect(parseServerUrlArg(['--server-url='])).toBeNull()
  })

  it('rejects a value that is not an http(s) URL', () => {
    expect(() => parseServerUrlArg(['--server-url=ftp://x'])).toThrow(/http/)
    expect(() => parseServerUrlArg(['--server-url=nope'])).toThrow(/valid URL/)
  })
})
