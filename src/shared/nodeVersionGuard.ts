/**
 * The Node version check of every command-line entry point (`npm run server`, the benches, the
 * scripts that start Electron): imported FIRST, as a side-effect import, so it runs before any
 * other module is evaluated, and above all before better-sqlite3's native code is loaded. On
 * another major version that code can crash the process outright (Node 20 dies with a bare
 * "Segmentation fault" when the server opens its database); this says why and exits with 1.
 *
 * It lives in src/shared so that server/ may import it, and uses no Node types or modules (the
 * renderer's TypeScript project compiles src/shared without them): the process object is read
 * from globalThis, and the check does nothing where there is none.
 */

/** package.json's `engines.node` (">=24 <25") and .nvmrc. */
export const REQUIRED_NODE_MAJOR = 24

/** The refusal for this Node version (`process.versions.node`), or null when it is the right one. */
export function nodeVersionProblem(version: string): string | null {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10)
  if (major === REQUIRED_NODE_MAJOR) return null
  return (
    `Tidings needs Node ${REQUIRED_NODE_MAJOR} (this is Node ${version}). ` +
    `Install Node ${REQUIRED_NODE_MAJOR} LTS (the version in .nvmrc: \`nvm install\`, fnm, Volta ` +
    `or the installer from nodejs.org) and run the command again.`
  )
}

interface ProcessLike {
  versions: { node?: string }
  stderr: { write(text: string): unknown }
  exit(code: number): never
}

/** Writes the refusal and exits with 1 when `proc` runs another Node major; otherwise nothing. */
export function enforceNodeVersion(proc: ProcessLike | undefined): void {
  // Electron's own Node (the bundled server's utility process) has `versions.electron`; it is
  // checked by Electron's version, not here.
  if (!proc?.versions.node || 'electron' in proc.versions) return
  const problem = nodeVersionProblem(proc.versions.node)
  if (problem === null) return
  proc.stderr.write(`${problem}\n`)
  proc.exit(1)
}

enforceNodeVersion((globalThis as { process?: ProcessLike }).process)
