import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  REQUIRED_NODE_MAJOR,
  enforceNodeVersion,
  nodeVersionProblem,
} from '../../src/shared/nodeVersionGuard'

const root = resolve(import.meta.dirname, '../..')

describe('nodeVersionProblem', () => {
  it('accepts every Node 24 release', () => {
    expect(nodeVersionProblem('24.0.0')).toBeNull()
    expect(nodeVersionProblem('24.22.3')).toBeNull()
  })

  it('names the Node it needs and the one it got, for older and newer majors', () => {
    expect(nodeVersionProblem('20.20.2')).toMatch(
      /^Tidings needs Node 24 \(this is Node 20\.20\.2\)\. Install Node 24 LTS/,
    )
    expect(nodeVersionProblem('25.1.0')).toMatch(/^Tidings needs Node 24 \(this is Node 25\.1\.0\)/)
    expect(nodeVersionProblem('garbage')).toMatch(/this is Node garbage/)
  })
})

describe('enforceNodeVersion', () => {
  function fakeProcess(versions: Record<string, string>) {
    const written: string[] = []
    const exits: number[] = []
    return {
      written,
      exits,
      proc: {
        versions,
        stderr: { write: (text: string) => written.push(text) },
        exit: ((code: number) => {
          exits.push(code)
        }) as (code: number) => never,
      },
    }
  }

  it('writes one line and exits with 1 on another major', () => {
    const fake = fakeProcess({ node: '20.20.2' })
    enforceNodeVersion(fake.proc)
    expect(fake.exits).toEqual([1])
    expect(fake.written).toHaveLength(1)
    expect(fake.written[0]).toMatch(/^Tidings needs Node 24 \(this is Node 20\.20\.2\)\..*\n$/)
  })

  it('does nothing on Node 24, in Electron, or without a process', () => {
    const cases: Record<string, string>[] = [
      { node: '24.1.0' },
      { node: '22.20.0', electron: '39.0.0' },
    ]
    for (const versions of cases) {
      const fake = fakeProcess(versions)
      enforceNodeVersion(fake.proc)
      expect(fake.exits).toEqual([])
      expect(fake.written).toEqual([])
    }
    expect(() => enforceNodeVersion(undefined)).not.toThrow()
  })
})

describe('the project pins Node 24 everywhere', () => {
  it('package.json engines, .nvmrc and the guard agree; npm refuses other versions', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      engines: { node: string }
    }
    expect(pkg.engines.node).toBe(`>=${REQUIRED_NODE_MAJOR} <${REQUIRED_NODE_MAJOR + 1}`)
    expect((await readFile(join(root, '.nvmrc'), 'utf8')).trim()).toBe(`${REQUIRED_NODE_MAJOR}`)
    const npmrc = (await readFile(join(root, '.npmrc'), 'utf8')).split('\n')
    expect(npmrc).toContain('engine-strict=true')
  })

  it.each([
    ['server/cli.ts', "import '../src/shared/nodeVersionGuard'"],
    ['bench/run.ts', "import '../src/shared/nodeVersionGuard'"],
    ['bench/sendStorage.ts', "import '../src/shared/nodeVersionGuard'"],
    ['bench/deliveryWrite.ts', "import '../src/shared/nodeVersionGuard'"],
    ['bench/messageSearch.ts', "import '../src/shared/nodeVersionGuard'"],
    ['scripts/renderer-perf.ts', "import '../src/shared/nodeVersionGuard'"],
    ['scripts/electron/cli.ts', "import '../../src/shared/nodeVersionGuard'"],
  ])('%s imports the guard before any other module', async (file, line) => {
    const source = await readFile(join(root, file), 'utf8')
    const firstImport = source.split('\n').find((l) => /^import\b/.test(l))
    expect(firstImport?.startsWith(line)).toBe(true)
  })
})

// The entry points as a user runs them, on a Node that says it is 20 (a preload rewrites
// process.versions.node, so the test runs on the real Node 24 that is installed).
describe('entry points on another Node', () => {
  let dir: string
  let fakeNode20: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-node-guard-'))
    fakeNode20 = join(dir, 'fake-node-20.mjs')
    await writeFile(
      fakeNode20,
      "Object.defineProperty(process.versions, 'node', { value: '20.20.2' })\n",
    )
  })

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /**
   * Runs the entry point to its end. Not spawnSync: that would stop this worker's event loop for
   * the whole tsx start-up (seconds of CPU, far more on a loaded machine).
   */
  function run(
    entry: string,
    args: string[],
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', fakeNode20, '--import', 'tsx', entry, ...args],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) => {
          const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null
          resolve({ status, stdout, stderr })
        },
      )
    })
  }

  it('npm run server refuses before opening its database', async () => {
    const dataDir = join(dir, 'data')
    const result = await run('server/cli.ts', ['--port', '0', '--data-dir', dataDir])
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toMatch(/^Tidings needs Node 24 \(this is Node 20\.20\.2\)\./)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.stdout).toBe('')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('the bench refuses before starting anything', async () => {
    const result = await run('bench/run.ts', ['--quick'])
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toMatch(/^Tidings needs Node 24 \(this is Node 20\.20\.2\)\./)
    expect(result.stdout).toBe('')
  })
})
