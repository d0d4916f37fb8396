import { describe, expect, it } from 'vitest'
import type { KindResult } from '../../bench/loadgen/results'
import { checkQuick, type BenchReport } from '../../bench/report/table'
import type { ServerKind } from '../../bench/shared'

/**
 * `npm run test:bench` (bench/run.ts --quick) fails on what checkQuick finds in the servers it
 * judges: Tidings. The baselines are measured and reported, never a failure of the run.
 */

function result(kind: ServerKind, change: Partial<KindResult> = {}): KindResult {
  return {
    kind,
    users: 400,
    bigSize: 100,
    connect: { connections: 400, failures: 0 } as KindResult['connect'],
    fanoutSmall: [],
    fanoutBig: [],
    resume:
      kind === 'rawws'
        ? null
        : ({ missing: 0, doubled: 0, failedSends: 0 } as KindResult['resume']),
    storm: {
      reconnectFailures: 0,
      missing: 0,
      doubled: 0,
      notCaughtUp: 0,
      lossExpected: kind === 'rawws',
    } as KindResult['storm'],
    notes: [],
    incomplete: [],
    ...change,
  }
}

function report(results: KindResult[]): BenchReport {
  return { results, failures: [], notes: [] } as unknown as BenchReport
}

const SERVERS: ServerKind[] = ['tidings', 'socketio', 'rawws']
const BASELINES: ServerKind[] = ['socketio', 'rawws']

describe('the quick bench gate (checkQuick)', () => {
  it('passes when every server completed with nothing lost', () => {
    const r = report(SERVERS.map((kind) => result(kind)))
    expect(checkQuick(r, SERVERS, undefined, BASELINES)).toEqual([])
  })

  it('fails on Tidings missing its time budget or losing anything', () => {
    const r = report([
      result('tidings', { incomplete: ['storm (time budget)'] }),
      result('socketio'),
      result('rawws'),
    ])
    expect(checkQuick(r, SERVERS, undefined, BASELINES)).toEqual([
      'tidings: not completed: storm (time budget)',
    ])
    const lost = report([
      result('tidings', {
        storm: { ...result('tidings').storm!, missing: 3 },
      }),
    ])
    expect(checkQuick(lost, ['tidings'], undefined, BASELINES)).toEqual([
      'tidings: storm missing 3, doubled 0, not caught up 0',
    ])
  })

  it('only reports a baseline that missed its time budget or fell short', () => {
    const r = report([
      result('tidings'),
      result('socketio', {
        incomplete: ['storm (time budget)'],
        storm: { ...result('socketio').storm!, notCaughtUp: 387 },
      }),
      result('rawws', { incomplete: ['fan-out 1000 from 200 msg/s (time budget)'] }),
    ])
    // Not a failure of the run...
    expect(checkQuick(r, SERVERS, undefined, BASELINES)).toEqual([])
    // ...but what the run reports about the baselines.
    expect(checkQuick(r, BASELINES)).toEqual([
      'socketio: not completed: storm (time budget)',
      'socketio: storm missing 0, doubled 0, not caught up 387',
      'rawws: not completed: fan-out 1000 from 200 msg/s (time budget)',
    ])
  })
})
