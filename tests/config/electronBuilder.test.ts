import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

// electron-builder's own loader and schema validator read electron-builder.yml exactly as a
// packaging run would, so a misspelt key fails here rather than on a release machine.
const require = createRequire(import.meta.url)
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, path: string | null, options: null): Promise<BuilderConfig>
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>
}
const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown }

interface BuilderConfig {
  appId?: string
  productName?: string
  directories?: { output?: string }
  files?: ({ filter?: string[] } | string)[]
  asarUnpack?: string[]
  npmRebuild?: boolean
  extraResources?: { from: string; to: string }[]
  extraMetadata?: Record<string, unknown>
  electronFuses?: Record<string, boolean>
  linux?: { target?: unknown[]; category?: string; icon?: string; syncDesktopName?: boolean }
  win?: { target?: unknown[]; icon?: string }
  mac?: { target?: unknown[]; icon?: string }
  [key: string]: unknown
}

const root = resolve(import.meta.dirname, '../..')
let config: BuilderConfig

beforeAll(async () => {
  config = await getConfig(root, null, null)
})

function targets(list: unknown[] | undefined): string[] {
  return (list ?? []).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target))
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('names the app', () => {
    expect(config.appId).toBe('app.tidings.desktop')
    expect(config.productName).toBe('Tidings')
    expect(config.directories?.output).toBe('dist')
  })

  it('packs the build output and package.json only', () => {
    const patterns = (config.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : f.filter))
    expect(patterns).toContain('out/**')
    expect(patterns).toContain('package.json')
    expect(patterns.some((p) => p?.startsWith('src'))).toBe(false)
  })

  it('unpacks better-sqlite3 from the archive and keeps its Node-API prebuilds as they are', () => {
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**')
    expect(config.npmRebuild).toBe(false)
  })

  it('sets every hardening fuse', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    })
  })

  it('builds AppImage + deb, NSIS, and DMG + zip (what electron-updater installs) per architecture', () => {
    expect(targets(config.linux?.target).sort()).toEqual(['AppImage', 'deb'])
    expect(targets(config.win?.target)).toEqual(['nsis'])
    expect(targets(config.mac?.target)).toEqual(['dmg', 'zip'])
    for (const target of config.mac?.target ?? []) {
      expect((target as { arch: string[] }).arch).toEqual(['x64', 'arm64'])
    }
    expect(config.linux?.category).toBe('Network;InstantMessaging')
    expect(config.extraMetadata?.desktopName).toBe('tidings.desktop')
    expect(config.linux?.syncDesktopName).toBe(true)
  })

  it('publishes to GitHub Releases, which makes the update feed (latest*.yml, app-update.yml)', () => {
    expect(config.publish).toEqual({ provider: 'github' })
  })

  it('registers tidings:// links in every installer', async () => {
    expect(config.protocols).toEqual([{ name: 'Tidings link', schemes: ['tidings'] }])
    // electron-builder's NSIS template registers no protocol: the include does.
    const nsis = config.nsis as { include?: string }
    expect(nsis.include).toBe('build/installer.nsh')
    const script = await readFile(resolve(root, nsis.include ?? 'missing'), 'utf8')
    expect(script).toContain(
      'WriteRegStr SHELL_CONTEXT "Software\\Classes\\tidings" "URL Protocol" ""',
    )
    expect(script).toContain(
      `WriteRegStr SHELL_CONTEXT "Software\\Classes\\tidings\\shell\\open\\command" "" '"$INSTDIR\\\${APP_EXECUTABLE_FILENAME}" "%1"'`,
    )
    expect(script).toContain('DeleteRegKey SHELL_CONTEXT "Software\\Classes\\tidings"')
  })

  it('points at real icon files', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47])
    const macIcon = await readFile(resolve(root, config.mac?.icon ?? 'missing'))
    expect(macIcon.subarray(0, 4)).toEqual(png)
    expect(macIcon.readUInt32BE(16)).toBe(1024) // PNG IHDR width
    const ico = await readFile(resolve(root, config.win?.icon ?? 'missing'))
    expect(ico.readUInt16LE(2)).toBe(1) // ICO type: icon
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4)
    const linux512 = await readFile(resolve(root, config.linux?.icon ?? 'missing', '512x512.png'))
    expect(linux512.readUInt32BE(16)).toBe(512)
  })

  it('ships the run-time icons next to app.asar', async () => {
    const tos = (config.extraResources ?? []).map((r) => r.to)
    expect(tos).toEqual(expect.arrayContaining(['icon.png', 'badge-overlay.png', 'tray']))
    for (const state of ['connected', 'reconnecting', 'offline']) {
      for (const [file, size] of [
        [`${state}.png`, 16],
        [`${state}@2x.png`, 32],
      ] as const) {
        const image = await readFile(resolve(root, 'resources/tray', file))
        expect(image.readUInt32BE(16), file).toBe(size)
        expect(image.readUInt32BE(20), file).toBe(size)
      }
    }
  })
})
