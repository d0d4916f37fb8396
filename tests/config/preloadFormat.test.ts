import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Script } from 'node:vm'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAGE_CHANNELS } from '../../src/shared/ipc'

// A sandboxed preload cannot be an ES module, and under "type": "module" a .js file would be
// read as one: the build must emit out/preload/index.cjs as plain CommonJS.
const root = resolve(import.meta.dirname, '../..')
const preload = resolve(root, 'out/preload/index.cjs')
let source = ''

/** Newest modification time of the files under `dir`. */
function newestUnder(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

// A build left in out/ by an earlier checkout would test old code: rebuild unless the preload is
// newer than every source it is built from.
function preloadIsCurrent(): boolean {
  if (!existsSync(preload)) return false
  const sources = ['src/preload', 'src/shared', 'electron.vite.config.ts']
  const newestSource = Math.max(
    ...sources.map((s) => {
      const full = resolve(root, s)
      return statSync(full).isDirectory() ? newestUnder(full) : statSync(full).mtimeMs
    }),
  )
  return statSync(preload).mtimeMs >= newestSource
}

beforeAll(async () => {
  if (!preloadIsCurrent()) {
    await promisify(execFile)('npx', ['electron-vite', 'build'], { cwd: root, timeout: 120_000 })
  }
  source = await readFile(preload, 'utf8')
}, 150_000)

describe('built preload', () => {
  it('is CommonJS: requires electron and has no top-level import or export', () => {
    expect(source).toMatch(/\brequire\(["']electron["']\)/)
    expect(source).not.toMatch(/^\s*import\s[^(]/m)
    expect(source).not.toMatch(/^\s*export\s/m)
    expect(source).not.toMatch(/\bimport\.meta\b/)
  })

  it('parses as a classic script, the way Electron wraps a sandboxed preload', () => {
    expect(() => new Script(`(function (exports, require, module) {\n${source}\n})`)).not.toThrow()
  })

  it('requires nothing but electron (a sandboxed preload cannot load other modules)', () => {
    const required = [...source.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
  })

  it('exposes window.tidings', () => {
    expect(source).toMatch(/exposeInMainWorld\(["']tidings["']/)
  })

  it('runs with electron alone, exposing the channels of the page it runs in', () => {
    const exposed = new Map<string, object>()
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: object) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: () => undefined,
        on: () => undefined,
        removeListener: () => undefined,
      },
    }
    const sandboxedRequire = (id: string) => {
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`)
      return electron
    }
    const run = new Script(`(function (exports, require, module) {\n${source}\n})`).runInNewContext(
      // A page's globals (the preload runs in the page's window, Web APIs included).
      { location: { pathname: '/settings.html' }, TextEncoder, TextDecoder },
    ) as (exports: object, require: (id: string) => unknown, module: object) => void
    run({}, sandboxedRequire, { exports: {} })
    expect(Object.keys(exposed.get('tidings') ?? {}).sort()).toEqual(
      [...PAGE_CHANNELS['settings.html'], 'on', 'subscribe'].sort(),
    )
  })
})
