import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { app, protocol, resetFakeElectron } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { APP_SCHEME_PRIVILEGES, handleAppScheme, registerAppSchemePrivileges } =
  await import('../../../src/main/electron/appProtocol')

// A built renderer folder, and a secret next to it that no request may read.
const base = mkdtempSync(join(tmpdir(), 'tidings-app-scheme-'))
const rendererDir = join(base, 'out', 'renderer')
mkdirSync(join(rendererDir, 'assets'), { recursive: true })
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tidings</title>')
writeFileSync(join(rendererDir, 'settings.html'), '<!doctype html><title>Settings</title>')
writeFileSync(join(rendererDir, 'assets', 'x.js'), 'export const x = 1\n')
writeFileSync(join(rendererDir, 'assets', 'styles.css'), 'body { margin: 0 }\n')
writeFileSync(join(base, 'out', 'secret.txt'), 'secret')
afterAll(() => rmSync(base, { recursive: true, force: true }))

beforeEach(() => resetFakeElectron())

/** Installs the handler (after ready, as Electron requires) and returns a request function. */
async function handled() {
  await app.whenReady()
  handleAppScheme(rendererDir)
  const handler = protocol.handlers.get('app')
  if (!handler) throw new Error('no handler for app:')
  return (url: string, method = 'GET') => Promise.resolve(handler(new Request(url, { method })))
}

describe('app scheme registration', () => {
  it('registers app: as standard, secure and fetch-capable, before ready', () => {
    registerAppSchemePrivileges()
    expect(protocol.privileged).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true },
        ready: false,
      },
    ])
    // The pages' CSP must apply, and no other origin may read our files.
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP')
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('corsEnabled')
  })

  it('installs the handler once the app is ready', async () => {
    await handled()
    expect(protocol.handle).toHaveBeenCalledTimes(1)
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(protocol.handledWhileReady.get('app')).toBe(true)
  })
})

describe('app scheme handler', () => {
  it('serves the pages and assets with their content types', async () => {
    const request = await handled()
    const index = await request('app://tidings/index.html')
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await index.text()).toBe('<!doctype html><title>Tidings</title>')

    const settings = await request('app://tidings/settings.html#privacy')
    expect(settings.status).toBe(200)
    expect(await settings.text()).toBe('<!doctype html><title>Settings</title>')

    const script = await request('app://tidings/assets/x.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe('export const x = 1\n')

    const style = await request('app://tidings/assets/styles.css')
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('answers HEAD without a body, and refuses other methods', async () => {
    const request = await handled()
    const head = await request('app://tidings/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await head.text()).toBe('')
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect((await request('app://tidings/index.html', method)).status, method).toBe(404)
    }
  })

  it('answers 404 for escapes, other hosts, folders and missing files', async () => {
    const request = await handled()
    for (const url of [
      'app://tidings/../secret.txt',
      'app://tidings/..%2fsecret.txt',
      'app://tidings/%2e%2e/secret.txt',
      'app://tidings/assets/..%2f..%2fsecret.txt',
      'app://tidings//etc/passwd',
      'app://tidings/%2fetc%2fpasswd',
      'app://evil/index.html',
      'app://tidings:8080/index.html',
      'app://tidings/',
      'app://tidings/assets',
      'app://tidings/assets/',
      'app://tidings/missing.js',
    ]) {
      const response = await request(url)
      expect(response.status, url).toBe(404)
      expect(await response.text(), url).toBe('Not found')
    }
  })
})
