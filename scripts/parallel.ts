import { spawn } from 'node:child_process'

/**
 * Runs npm scripts at the same time and prints each one's output whole once it ends, so the logs
 * of two scripts never interleave: `tsx scripts/parallel.ts typecheck lint format:check`. Exits
 * with 1 when any of them failed, after all have ended (every failure is reported, not the first).
 *
 * For the static checks of `npm test`: tsc, ESLint and Prettier each keep one core busy, so run
 * one after another on CI's two cores they left a core idle for the minutes they take.
 */
const scripts = process.argv.slice(2)
if (scripts.length === 0) {
  console.error('Usage: tsx scripts/parallel.ts <npm script>...')
  process.exit(2)
}

function run(script: string): Promise<boolean> {
  const started = Date.now()
  const child = spawn('npm', ['run', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  const output: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
  return new Promise((resolve) => {
    const report = (ok: boolean, outcome: string) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      process.stdout.write(Buffer.concat(output))
      console.log(`[parallel] ${script}: ${outcome} after ${seconds} s\n`)
      resolve(ok)
    }
    child.once('error', (error) => report(false, `could not start (${error.message})`))
    child.once('close', (code, signal) =>
      report(code === 0, code === 0 ? 'passed' : `failed (${signal ?? `exit code ${code}`})`),
    )
  })
}

const results = await Promise.all(scripts.map(run))
const failed = scripts.filter((_, index) => !results[index])
if (failed.length > 0) {
  console.error(`[parallel] failed: ${failed.join(', ')}`)
  process.exit(1)
}
