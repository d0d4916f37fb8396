import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { onPostgres } from '../support/testDatabase'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DATABASE = path.join(ROOT, 'server/storage/sqlite/sqliteDatabase.ts')

// SQLite's own (its WAL checkpoints): nothing of it runs on PostgreSQL.
describe.skipIf(onPostgres)('the background checkpointer', () => {
  let dir = ''
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  // In a process of its own: the test runner would keep this process alive by itself. What is
  // timed is the exit after 'stopped', not the start-up (tsx loading the storage module takes
  // seconds of CPU, tens of seconds on a loaded machine, and says nothing about the checkpointer).
  it('resolves stop() once the worker has exited, with nothing else keeping the process alive', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-checkpointer-'))
    const script = `
      const { SqliteDatabase } = await import(${JSON.stringify(DATABASE)})
      const db = new SqliteDatabase(${JSON.stringify(path.join(dir, 'tidings.db'))})
      await db.stopCheckpointer()
      console.log('stopped')
      await db.close()
    `
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    // 'close': the process has exited and its output is all read.
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    const stopped = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        if (stdout.includes('stopped')) resolve()
      })
    })
    await Promise.race([stopped, exited])
    // Once stop() has resolved, nothing may keep the process alive: it ends by itself at once.
    const hung = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const status = await exited
    clearTimeout(hung)
    expect(stderr).not.toMatch(/unsettled top-level await/)
    expect({ status, stdout: stdout.trim() }).toEqual({ status: 0, stdout: 'stopped' })
  }, 120_000)
})
