import path from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

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

/** The messages no-restricted-imports gives `code` in `file` (a path from the repository root). */
async function restrictions(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports')
}

/** The imports of `specifiers` refused in `file`. */
async function refused(file: string, specifiers: string[]): Promise<string[]> {
  const code = specifiers.map((s, i) => `import * as m${i} from '${s}'\nvoid m${i}\n`).join('')
  return (await restrictions(file, code)).map((m) => specifiers[(m.line - 1) / 2]!)
}

/** Per layer: a file in it, imports it must be refused, imports it may make. */
const LAYERS: { layer: string; file: string; refused: string[]; allowed: string[] }[] = [
  {
    layer: 'src/shared: itself and pure libraries',
    file: 'src/shared/example.ts',
    refused: [
      'electron',
      'node:fs',
      'fs',
      '../main/core/appCore',
      '../renderer/src/ipcClient',
      '../preload/tidingsApi',
      '../../server/startServer',
    ],
    allowed: ['./events', './limits', 'luxon', 'typebox'],
  },
  {
    layer: 'the renderer: src/shared and itself',
    file: 'src/renderer/src/stores/example.ts',
    refused: [
      'electron',
      'node:path',
      'path',
      '../../../main/core/appCore',
      '../../../preload/tidingsApi',
      '../../../../server/startServer',
    ],
    allowed: ['../../../shared/ipc', '../ipcClient', './session', 'zustand'],
  },
  {
    layer: 'the preload: src/shared, itself and electron',
    file: 'src/preload/example.ts',
    refused: [
      'node:fs',
      'fs',
      '../main/core/appCore',
      '../renderer/src/ipcClient',
      '../../server/startServer',
    ],
    allowed: ['electron', '../shared/ipc', './tidingsApi'],
  },
  {
    layer: 'src/main/core: no Electron, no Electron layer',
    file: 'src/main/core/example.ts',
    refused: [
      'electron',
      '../electron/ipcHandlers',
      '../../renderer/src/ipcClient',
      '../../preload/tidingsApi',
      '../../../server/startServer',
    ],
    allowed: ['node:fs', './outbox', '../../shared/ipc', 'better-sqlite3'],
  },
  {
    layer: 'the Electron layer: the core, and of the server only its launch flags',
    file: 'src/main/electron/example.ts',
    refused: [
      '../../../server/startServer',
      '../../renderer/src/ipcClient',
      '../../preload/tidingsApi',
    ],
    allowed: [
      'electron',
      'node:path',
      '../core/appCore',
      '../../shared/ipc',
      '../../../server/runtimeFlags',
    ],
  },
  {
    layer: 'the server: of the client code base, src/shared only',
    file: 'server/services/example.ts',
    refused: [
      'electron',
      '../../src/main/core/appCore',
      '../../src/renderer/src/ipcClient',
      '../../src/preload/tidingsApi',
    ],
    allowed: ['node:fs', '../../src/shared/api', '../db/database', 'fastify'],
  },
]

describe('import layers (eslint.config.js)', () => {
  // ESLint loads eslint.config.js, its plugins and the TypeScript parser (TypeScript itself) on
  // its first lint: seconds of CPU that belong to no one layer, done once before the first test.
  beforeAll(async () => {
    await eslint.calculateConfigForFile(path.join(ROOT, 'src/shared/example.ts'))
    await eslint.lintText('export {}\n', { filePath: path.join(ROOT, 'src/shared/example.ts') })
  }, 120_000)

  it.each(LAYERS)('keeps $layer', async ({ file, refused: bad, allowed }) => {
    expect(await refused(file, bad)).toEqual(bad)
    expect(await refused(file, allowed)).toEqual([])
  })

  it('lets components and pages reach IPC only through the stores', async () => {
    for (const file of ['src/renderer/src/components/Example.tsx', 'src/renderer/src/App.tsx']) {
      const messages = await restrictions(
        file,
        "import { ipc, errorMessage } from '../ipcClient'\nvoid ipc\nvoid errorMessage\n",
      )
      expect(messages.map((m) => m.message)).toEqual([
        expect.stringMatching(/^'ipc' import from '\.\.\/ipcClient' is restricted/),
      ])
      expect(await refused(file, ['../stores/session', '../../../shared/time'])).toEqual([])
    }
  })
})
