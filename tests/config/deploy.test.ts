import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// js-yaml, as tests/config/workflows.test.ts reads YAML (no type declarations here).
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }

const ROOT = path.resolve(import.meta.dirname, '../..')
const read = (file: string) => fs.readFileSync(path.join(ROOT, 'deploy', file), 'utf8')
const hasHaproxy = spawnSync('sh', ['-c', 'command -v haproxy']).status === 0

/**
 * The files of deploy/ that cannot run here (no container engine, no systemd) are checked for
 * what docs/deploy.md promises of them; HAProxy's configuration is also checked by HAProxy itself
 * (and runs for real in tests/cluster/loadBalancer.test.ts).
 */
describe('deploy/', () => {
  it('docker-compose.yml: PostgreSQL 15, three nodes that share only it and the key, HAProxy in front', () => {
    const compose = yaml.load(read('docker-compose.yml')) as {
      services: Record<
        string,
        { image?: string; environment?: Record<string, string>; volumes?: string[] }
      >
    }
    const { services } = compose
    expect(Number(services.postgres!.image!.split(':')[1])).toBeGreaterThanOrEqual(15)
    for (const name of ['node1', 'node2', 'node3']) {
      const env = services[name]!.environment!
      expect(env.TIDINGS_DATABASE_URL).toMatch(
        /^postgres:\/\/tidings:\$\{POSTGRES_PASSWORD:\?.+\}@postgres:5432\/tidings$/,
      )
      // Required, never defaulted: a cluster with a made-up key could not read its mail passwords.
      expect(env.TIDINGS_SECRET_KEY).toMatch(/^\$\{TIDINGS_SECRET_KEY:\?/)
      expect(services[name]!.volumes ?? []).toEqual([])
    }
    const haproxy = services.haproxy!
    expect(haproxy.environment).toMatchObject({
      TIDINGS_NODE1: 'node1:8000',
      TIDINGS_NODE2: 'node2:8000',
      TIDINGS_NODE3: 'node3:8000',
    })
    expect(haproxy.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro')
  })

  it('Dockerfile runs the server as npm run server does, on Node 24, not as root', () => {
    const docker = read('Dockerfile')
    expect(docker).toMatch(/^FROM node:24-/m)
    expect(docker).toMatch(/^USER node$/m)
    expect(docker).toContain(
      'CMD ["node", "--max-semi-space-size=16", "--import", "tsx", "server/cli.ts"]',
    )
  })

  it('tidings.service starts the CLI with its environment file, as an unprivileged user', () => {
    const unit = read('tidings.service')
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node .*server\/cli\.ts$/m)
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/tidings\/tidings\.env$/m)
    expect(unit).toMatch(/^User=tidings$/m)
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/tidings$/m)
  })

  it.skipIf(!hasHaproxy)('haproxy.cfg is valid for HAProxy itself', () => {
    const check = spawnSync('haproxy', ['-c', '-f', path.join(ROOT, 'deploy/haproxy.cfg')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        TIDINGS_LISTEN: '127.0.0.1:8080',
        TIDINGS_NODE1: '127.0.0.1:1',
        TIDINGS_NODE2: '127.0.0.1:2',
        TIDINGS_NODE3: '127.0.0.1:3',
      },
    })
    expect(check.stdout + check.stderr).toMatch(/Configuration file is valid/)
    expect(check.status).toBe(0)
  })
  if (!hasHaproxy)
    console.log('[deploy] haproxy not installed: its own check of haproxy.cfg SKIPPED')
})
