import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SERVER_NODE_FLAGS } from '../../server/runtimeFlags'

describe('server launch flags', () => {
  it('npm run server starts Node with the same flags as the desktop app and the benchmark', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.server).toBe(
      `node ${SERVER_NODE_FLAGS.join(' ')} --import tsx server/cli.ts`,
    )
  })

  it('this Node accepts the flags (an unknown or malformed flag makes it exit with an error)', async () => {
    const { execFileSync } = await import('node:child_process')
    const out = execFileSync(
      process.execPath,
      [...SERVER_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'],
      { encoding: 'utf8' },
    )
    expect(JSON.parse(out)).toEqual([...SERVER_NODE_FLAGS, '-e', expect.any(String)])
  })
})
