import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * A small tmpfs of its own, to run out of space on for real: mounting one needs root (or
 * CAP_SYS_ADMIN), so `canMountTmpfs()` says whether this machine allows it and tests skip
 * otherwise, saying why.
 */
export interface SmallDisk {
  /** The mount point. */
  dir: string
  /** Fills every byte left with a file of its own; `free()` removes it. */
  fill(): void
  free(): void
  unmount(): void
}

let mountable: boolean | undefined

export function canMountTmpfs(): boolean {
  if (mountable !== undefined) return mountable
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-tmpfs-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' })
    execFileSync('umount', [probe], { stdio: 'ignore' })
    mountable = true
  } catch {
    mountable = false
  } finally {
    fs.rmSync(probe, { recursive: true, force: true })
  }
  return mountable
}

/** Mounts a tmpfs of `megabytes`, owned by `owner` (a user name) when given. */
export function mountSmallDisk(megabytes: number, owner?: string): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-small-disk-'))
  const ids = owner
    ? `,uid=${execFileSync('id', ['-u', owner]).toString().trim()},gid=${execFileSync('id', ['-g', owner]).toString().trim()}`
    : ''
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0755${ids}`, 'tmpfs', dir])
  const filler = path.join(dir, 'filler')
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a')
      try {
        for (const size of [1024 * 1024, 64 * 1024, 4096, 512, 1]) {
          const chunk = Buffer.alloc(size)
          try {
            for (;;) fs.writeSync(fd, chunk)
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
          }
        }
      } finally {
        fs.closeSync(fd)
      }
    },
    free() {
      fs.rmSync(filler, { force: true })
    },
    unmount() {
      execFileSync('umount', ['-l', dir])
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
