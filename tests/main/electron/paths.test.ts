import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import {
  contentTypeFor,
  isOwnRendererUrl,
  ownRendererPage,
  isSafeExternalUrl,
  parseServerUrlArg,
  rendererPageUrl,
  resolvePreloadPath,
  resolveRendererFile,
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
  const built = { devServerUrl: null }
  const devServer = { devServerUrl: 'http://localhost:5173' }

  it('accepts the built pages on the app scheme, with or without query and hash', () => {
    expect(isOwnRendererUrl('app://tidings/index.html', built)).toBe(true)
    expect(isOwnRendererUrl('app://tidings/index.html#/conversations/3', built)).toBe(true)
    expect(isOwnRendererUrl('app://tidings/index.html?x=1', built)).toBe(true)
    expect(isOwnRendererUrl('app://tidings/settings.html', built)).toBe(true)
  })

  it('refuses file URLs, even of the built pages themselves', () => {
    for (const page of ['index.html', 'settings.html']) {
      expect(isOwnRendererUrl(pathToFileURL(join(rendererDir, page)).href, built)).toBe(false)
    }
    expect(isOwnRendererUrl('file:///app/out/renderer/index.html', built)).toBe(false)
    expect(isOwnRendererUrl(pathToFileURL('/tmp/evil/index.html').href, built)).toBe(false)
  })

  it('refuses other app:// hosts, paths, ports and credentials', () => {
    for (const url of [
      'app://evil/index.html',
      'app://tidings.evil/index.html',
      'app:///index.html',
      'app://tidings:8080/index.html',
      'app://user@tidings/index.html',
      'app://tidings/',
      'app://tidings/other.html',
      'app://tidings/assets/index.html',
      'app://tidings/index.html/',
      'app://tidings/assets/index-P-bZj0w5.js',
      'apps://tidings/index.html',
    ]) {
      expect(isOwnRendererUrl(url, built), url).toBe(false)
    }
  })

  it('refuses remote pages and empty senders', () => {
    expect(isOwnRendererUrl('https://example.com/index.html', built)).toBe(false)
    expect(isOwnRendererUrl('http://localhost:5173/index.html', built)).toBe(false)
    expect(isOwnRendererUrl('https://tidings/index.html', built)).toBe(false)
    expect(isOwnRendererUrl('about:blank', built)).toBe(false)
    expect(isOwnRendererUrl('', built)).toBe(false)
    expect(isOwnRendererUrl(null, built)).toBe(false)
    expect(isOwnRendererUrl('not a url', built)).toBe(false)
  })

  it('accepts the dev server origin only while developing', () => {
    expect(isOwnRendererUrl('http://localhost:5173/settings.html', devServer)).toBe(true)
    expect(isOwnRendererUrl('http://localhost:5174/index.html', devServer)).toBe(false)
    expect(isOwnRendererUrl('http://127.0.0.1:5173/index.html', devServer)).toBe(false)
    // The app pages stay ours while developing; file URLs do not.
    expect(isOwnRendererUrl('app://tidings/index.html', devServer)).toBe(true)
    expect(isOwnRendererUrl(pathToFileURL(join(rendererDir, 'index.html')).href, devServer)).toBe(
      false,
    )
  })

  it('names the page a sender is, and no page for other paths of the dev server', () => {
    expect(ownRendererPage('app://tidings/index.html?x=1#y', built)).toBe('index.html')
    expect(ownRendererPage('app://tidings/settings.html', built)).toBe('settings.html')
    expect(ownRendererPage('http://localhost:5173/settings.html', devServer)).toBe('settings.html')
    expect(ownRendererPage('http://localhost:5173/', devServer)).toBeNull()
    expect(ownRendererPage('http://localhost:5173/@vite/client', devServer)).toBeNull()
    expect(ownRendererPage('app://tidings/assets/index.js', built)).toBeNull()
  })

  it('builds page URLs that it accepts', () => {
    expect(rendererPageUrl('index.html', null)).toBe('app://tidings/index.html')
    expect(rendererPageUrl('settings.html', null)).toBe('app://tidings/settings.html')
    expect(rendererPageUrl('settings.html', 'http://localhost:5173')).toBe(
      'http://localhost:5173/settings.html',
    )
    for (const page of ['index.html', 'settings.html'] as const) {
      expect(isOwnRendererUrl(rendererPageUrl(page, null), built)).toBe(true)
      expect(isOwnRendererUrl(rendererPageUrl(page, devServer.devServerUrl), devServer)).toBe(true)
    }
  })
})

describe('resolveRendererFile', () => {
  // A real folder: <tmp>/out/renderer with the pages, an asset and a folder, and a secret file
  // next to out/ that no request may reach.
  const base = mkdtempSync(join(tmpdir(), 'tidings-renderer-'))
  const rendererDir = join(base, 'out', 'renderer')
  mkdirSync(join(rendererDir, 'assets', 'nested'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>')
  writeFileSync(join(rendererDir, 'settings.html'), '<!doctype html>')
  writeFileSync(join(rendererDir, 'assets', 'x.js'), 'export {}')
  writeFileSync(join(rendererDir, 'assets', 'nested', 'y.css'), 'body{}')
  writeFileSync(join(base, 'secret.txt'), 'secret')
  writeFileSync(join(base, 'out', 'secret.txt'), 'secret')
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  const resolveUrl = (url: string) => resolveRendererFile(url, rendererDir)

  it('serves the pages and their assets from the renderer folder', () => {
    expect(resolveUrl('app://tidings/index.html')).toBe(join(rendererDir, 'index.html'))
    expect(resolveUrl('app://tidings/settings.html')).toBe(join(rendererDir, 'settings.html'))
    expect(resolveUrl('app://tidings/assets/x.js')).toBe(join(rendererDir, 'assets', 'x.js'))
    expect(resolveUrl('app://tidings/assets/nested/y.css')).toBe(
      join(rendererDir, 'assets', 'nested', 'y.css'),
    )
    // Query and fragment are not part of the file.
    expect(resolveUrl('app://tidings/index.html?v=1#/conversations/3')).toBe(
      join(rendererDir, 'index.html'),
    )
    // Percent-encoded plain names are decoded once.
    expect(resolveUrl('app://tidings/assets/%78.js')).toBe(join(rendererDir, 'assets', 'x.js'))
  })

  it('refuses paths that climb out of the folder, raw or encoded', () => {
    for (const url of [
      'app://tidings/../secret.txt',
      'app://tidings/../../secret.txt',
      'app://tidings/assets/../../secret.txt',
      'app://tidings/%2e%2e/secret.txt',
      'app://tidings/%2e%2e/%2e%2e/secret.txt',
      'app://tidings/%2E%2E/%2E%2E/secret.txt',
      'app://tidings/..%2fsecret.txt',
      'app://tidings/..%2f..%2fsecret.txt',
      'app://tidings/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://tidings/assets/..%2f..%2f..%2fsecret.txt',
      'app://tidings/..%5c..%5csecret.txt',
      'app://tidings/assets%5c..%5c..%5c..%5csecret.txt',
      'app://tidings/.%2findex.html',
      'app://tidings/%252e%252e/secret.txt',
    ]) {
      expect(resolveUrl(url), url).toBeNull()
    }
  })

  it('refuses absolute paths smuggled into the URL', () => {
    for (const url of [
      'app://tidings//etc/passwd',
      'app://tidings/%2fetc%2fpasswd',
      'app://tidings/%2Fetc/passwd',
      `app://tidings/${encodeURIComponent(join(base, 'secret.txt'))}`,
      `app://tidings//${join(base, 'secret.txt')}`,
      'app://tidings/C:%5cWindows%5cwin.ini',
      'app://tidings/C:/Windows/win.ini',
      'app://tidings/%5c%5cserver%5cshare%5cfile',
      'app://tidings/index.html%00.png',
      'app:///etc/passwd',
    ]) {
      expect(resolveUrl(url), url).toBeNull()
    }
  })

  it('refuses other hosts, schemes, ports and credentials', () => {
    for (const url of [
      'app://evil/index.html',
      'app://tidings.evil/index.html',
      'app://TIDINGS.example/index.html',
      'app://tidings:443/index.html',
      'app://user:pw@tidings/index.html',
      'file:///index.html',
      pathToFileURL(join(rendererDir, 'index.html')).href,
      'https://tidings/index.html',
      'not a url',
      'app://tidings/%E0%A4%A',
    ]) {
      expect(resolveUrl(url), url).toBeNull()
    }
  })

  it('never serves a folder, nor a file that is not there', () => {
    for (const url of [
      'app://tidings',
      'app://tidings/',
      'app://tidings/assets',
      'app://tidings/assets/',
      'app://tidings/assets/nested',
      'app://tidings/.',
      'app://tidings/missing.html',
      'app://tidings/index.html/',
    ]) {
      expect(resolveUrl(url), url).toBeNull()
    }
  })

  it('asks the file check only about paths inside the folder', () => {
    const asked: string[] = []
    const isFile = (path: string) => {
      asked.push(path)
      return true
    }
    expect(resolveRendererFile('app://tidings/assets/x.js', rendererDir, isFile)).toBe(
      join(rendererDir, 'assets', 'x.js'),
    )
    expect(resolveRendererFile('app://tidings/..%2fsecret.txt', rendererDir, isFile)).toBeNull()
    expect(resolveRendererFile('app://tidings/%2fetc%2fpasswd', rendererDir, isFile)).toBeNull()
    expect(asked).toEqual([join(rendererDir, 'assets', 'x.js')])
  })
})

describe('contentTypeFor', () => {
  it('names the types of the built files', () => {
    expect(contentTypeFor('/r/index.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeFor('/r/assets/index-P-bZj0w5.js')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeFor('/r/assets/styles.CSS')).toBe('text/css; charset=utf-8')
    expect(contentTypeFor('/r/a.svg')).toBe('image/svg+xml')
    expect(contentTypeFor('/r/a.woff2')).toBe('font/woff2')
    expect(contentTypeFor('/r/LICENSE')).toBe('application/octet-stream')
    expect(contentTypeFor('/r/a.tidings-unknown')).toBe('application/octet-stream')
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
