import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DATABASE = path.join(ROOT, 'server/storage/sqlite/sqliteDatabase.ts')

describe('the background checkpointer', () => {
  let dir = ''
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  // In a process of its own: the test runner would keep this process alive by itself.
  it('resolves stop() once the worker has exited, with nothing else keeping the process alive', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-checkpointer-'))
    const script = `
      const { SqliteDatabase } = await import(${JSON.stringify(DATABASE)})
      const db = new SqliteDatabase(${JSON.stringify(path.join(dir, 'tidings.db'))})
      await db.stopCheckpointer()
      console.log('stopped')
      await db.close()
    `
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    )
    expect(run.stderr).not.toMatch(/unsettled top-level await/)
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({
      status: 0,
      stdout: 'stopped',
    })
  })
})
