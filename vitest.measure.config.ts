import { defineConfig } from 'vitest/config'
import base from './vitest.config'

// `npm run bench:memory`: measurements that assert a memory target. They are not in `npm test`:
// resident memory depends on what else the machine runs, so a bound on it is a benchmark's
// verdict on a quiet machine, not a test's (docs/performance.md). The same set-up as the suite
// (forked processes, the PostgreSQL global setup), with its own files.
// Without the suite's projects (they would bring back its own files).
const { projects: _suiteProjects, ...suite } = base.test ?? {}

export default defineConfig({
  test: { ...suite, include: ['tests/measure/**/*.measure.ts'], testTimeout: 600_000 },
})
