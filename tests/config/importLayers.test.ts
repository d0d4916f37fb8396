import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

/**
 * The layer table of eslint.config.js, held to what it promises: each folder is refused what it
 * may not import and allowed what it may. Linted as text under a file name in each folder (the
 * type-aware rules are off here: they need the file on disk).
 */
const ROOT = path.resolve(import.meta.dirname, '../..')

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
})

/** The imports of `specifiers` refused in `file` (a path from the repository root). */
async function refused(file: string, specifiers: string[]): Promise<string[]> {
  const code = specifiers.map((s, i) => `import * as m${i} from '${s}'\nvoid m${i}\n`).join('')
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) })
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => specifiers[(m.line - 1) / 2]!)
}

describe('import layers (eslint.config.js)', () => {
  it('keeps src/shared to itself and pure libraries', async () => {
    const file = 'src/shared/example.ts'
    const bad = [
      'electron',
      'node:fs',
      'fs',
      '../main/core/appCore',
      '../renderer/src/ipcClient',
      '../preload/tidingsApi',
      '../../server/startServer',
    ]
    expect(await refused(file, bad)).toEqual(bad)
    expect(await refused(file, ['./events', './limits', 'luxon', 'typebox'])).toEqual([])
  })

  it('keeps the renderer to src/shared and itself', async () => {
    const file = 'src/renderer/src/stores/example.ts'
    const bad = [
      'electron',
      'node:path',
      'path',
      '../../../main/core/appCore',
      '../../../preload/tidingsApi',
      '../../../../server/startServer',
    ]
    expect(await refused(file, bad)).toEqual(bad)
    expect(
      await refused(file, ['../../../shared/ipc', '../ipcClient', './session', 'zustand']),
    ).toEqual([])
  })

  it('lets components reach IPC only through the stores', async () => {
    for (const file of ['src/renderer/src/components/Example.tsx', 'src/renderer/src/App.tsx']) {
      const [result] = await eslint.lintText(
        "import { ipc, errorMessage } from '../ipcClient'\nvoid ipc\nvoid errorMessage\n",
        { filePath: path.join(ROOT, file) },
      )
      const messages = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports')
      expect(messages.map((m) => m.message)).toEqual([
        expect.stringMatching(/^'ipc' import from '\.\.\/ipcClient' is restricted/),
      ])
      expect(await refused(file, ['../stores/session', '../../../shared/time'])).toEqual([])
    }
  })

  it('keeps the preload to src/shared, itself and electron', async () => {
    const file = 'src/preload/example.ts'
    const bad = [
      'node:fs',
      'fs',
      '../main/core/appCore',
      '../renderer/src/ipcClient',
      '../../server/startServer',
    ]
    expect(await refused(file, bad)).toEqual(bad)
    expect(await refused(file, ['electron', '../shared/ipc', './tidingsApi'])).toEqual([])
  })

  it('keeps src/main/core free of Electron and of the Electron layer', async () => {
    const file = 'src/main/core/example.ts'
    const bad = [
      'electron',
      '../electron/ipcHandlers',
      '../../renderer/src/ipcClient',
      '../../preload/tidingsApi',
      '../../../server/startServer',
    ]
    expect(await refused(file, bad)).toEqual(bad)
    expect(
      await refused(file, ['node:fs', './outbox', '../../shared/ipc', 'better-sqlite3']),
    ).toEqual([])
  })

  it('lets the Electron layer import the core and the server only for its launch flags', async () => {
    const file = 'src/main/electron/example.ts'
    const bad = [
      '../../../server/startServer',
      '../../renderer/src/ipcClient',
      '../../preload/tidingsApi',
    ]
    expect(await refused(file, bad)).toEqual(bad)
    expect(
      await refused(file, [
        'electron',
        'node:path',
        '../core/appCore',
        '../../shared/ipc',
        '../../../server/runtimeFlags',
      ]),
    ).toEqual([])
  })

  it('keeps the server to src/shared of the client code base', async () => {
    const file = 'server/services/example.ts'
    const bad = [
      'electron',
      '../../src/main/core/appCore',
      '../../src/renderer/src/ipcClient',
      '../../src/preload/tidingsApi',
    ]
    expect(await refused(file, bad)).toEqual(bad)
    expect(
      await refused(file, ['node:fs', '../../src/shared/api', '../db/database', 'fastify']),
    ).toEqual([])
  })
})
