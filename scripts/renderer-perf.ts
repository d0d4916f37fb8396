/**
 * Renderer performance: a conversation of 10,000 messages on a real server, opened in Chromium
 * through the e2e harness (real main-process core, real built renderer).
 *
 *   npm run bench:renderer            # builds, then runs this file
 *   npx tsx scripts/renderer-perf.ts  # when out/renderer is already built
 *
 * Options (environment): PERF_MESSAGES (default 10000), PERF_OPEN_RUNS (default 5),
 * PERF_SCROLL_STEP_PX (pixels scrolled per animation frame, default 400), CHROMIUM_PATH,
 * PERF_FORMATTED=1 (a third of the messages formatted: bold, italic, inline code, a list every
 * 10th message and a fenced TypeScript block every 25th, for the cost of the Markdown path).
 *
 * Reports (a table on stdout, JSON in bench/results/renderer-perf.json):
 * - first paint of the window (PerformanceObserver 'paint': first-paint, first-contentful-paint);
 * - time from the click on the conversation to the first message-item in the DOM and to the
 *   frame after it (performance marks in the page), and the same seen from Playwright;
 * - a scroll from the newest message to the start of the history, one step per frame, with every
 *   older page loaded on the way: requestAnimationFrame frame times (p50/p95/p99/max), frames over
 *   16.7 ms and over 50 ms, long tasks, and how many message rows the DOM holds at the end.
 */
import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Page } from '@playwright/test'
import type { AuthResult, Conversation } from '../src/shared/models'
import { Backend, DesktopClient, serveRenderer } from '../e2e/support/harness'

const ROOT = path.resolve(import.meta.dirname, '..')
const RESULT_FILE = path.join(ROOT, 'bench/results/renderer-perf.json')
const MESSAGES = Number(process.env.PERF_MESSAGES ?? 10_000)
const OPEN_RUNS = Number(process.env.PERF_OPEN_RUNS ?? 5)
const SCROLL_STEP_PX = Number(process.env.PERF_SCROLL_STEP_PX ?? 400)
const SEED_CONCURRENCY = 32
const SCROLL_TIME_LIMIT_MS = Number(process.env.PERF_SCROLL_LIMIT_MS ?? 5 * 60_000)
const FORMATTED = process.env.PERF_FORMATTED === '1'

const ALICE = { username: 'alice', password: 'alice-password-1', display_name: 'Alice Admin' }
const BOB = { username: 'bob', password: 'bob-password-1', display_name: 'Bob Member' }

// ---- Seeding over the REST API -----------------------------------------------------------------

async function rest<T>(
  baseUrl: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await response.json()) as { data: T; error?: unknown }
  if (!response.ok)
    throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`)
  return json.data
}

/** A varied line of chat text (lengths from a few words to a few lines). */
function messageText(i: number): string {
  const words = [
    'deploy',
    'review',
    'lunch',
    'meeting',
    'release',
    'ticket',
    'coffee',
    'design',
    'numbers',
    'budget',
    'draft',
    'server',
    'weekend',
    'report',
    'client',
    'schedule',
  ]
  const length = 4 + ((i * 7919) % 37)
  const parts: string[] = []
  for (let w = 0; w < length; w++) parts.push(words[(i + w * 31) % words.length]!)
  const plain = `#${i + 1} ${parts.join(' ')}`
  return FORMATTED ? formatted(i, plain, parts) : plain
}

/** With PERF_FORMATTED=1: the line with Markdown in a third of the messages. */
function formatted(i: number, plain: string, parts: string[]): string {
  if (i % 25 === 0) {
    return `${plain}\n\`\`\`ts\nconst ${parts[0]} = await load('${parts[1]}')\nif (!${parts[0]}) throw new Error('none')\nexport default ${parts[0]}\n\`\`\``
  }
  if (i % 10 === 0) return `#${i + 1} ${parts[0]}:\n- ${parts.slice(1, 4).join('\n- ')}`
  if (i % 3 === 0)
    return `#${i + 1} **${parts[0]}** _${parts[1]}_ \`${parts[2]}\` ${parts.slice(3).join(' ')}`
  return plain
}

async function seed(baseUrl: string) {
  const alice = await rest<AuthResult>(baseUrl, 'POST', '/auth/register', undefined, ALICE)
  const invite = await rest<{ code: string }>(baseUrl, 'POST', '/admin/invites', alice.token, {})
  const bob = await rest<AuthResult>(baseUrl, 'POST', '/auth/register', undefined, {
    ...BOB,
    invite_code: invite.code,
  })
  const conversation = await rest<Conversation>(baseUrl, 'POST', '/conversations', alice.token, {
    member_ids: [bob.user.id],
  })
  const started = performance.now()
  let next = 0
  // Parallel workers; each message's sender alternates in runs so the thread has both sides.
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < MESSAGES) {
        const i = next++
        const sender = Math.floor(i / 3) % 2 === 0 ? alice : bob
        await rest(baseUrl, 'POST', `/conversations/${conversation.id}/messages`, sender.token, {
          text: messageText(i),
          client_id: `perf-${i}`,
        })
      }
    }),
  )
  return { conversation, seedMs: performance.now() - started }
}

// ---- Measurements in the page ------------------------------------------------------------------

interface OpenRun {
  /** Click → first message-item in the DOM (MutationObserver, in the page). */
  firstItemMs: number
  /** Click → the animation frame after the first message-item (≈ first paint of the thread). */
  firstItemFrameMs: number
  /** Click → Playwright sees a visible message-item. */
  playwrightVisibleMs: number
  /** Click → the newest message is rendered (the thread starts at the bottom). */
  newestShownMs: number
  firstPaintMs: number | null
  firstContentfulPaintMs: number | null
}

async function measureOpen(page: Page, newestText: string): Promise<OpenRun> {
  await page.reload()
  await page.getByTestId('conversation-item').first().waitFor()
  // Arm the observers, then click from inside the page so the start mark is the click itself.
  const timing = page.evaluate(
    (newest) =>
      new Promise<{ firstItem: number; firstItemFrame: number; newestShown: number }>((resolve) => {
        const result = { firstItem: 0, firstItemFrame: 0, newestShown: 0 }
        const check = () => {
          if (!result.firstItem && document.querySelector('[data-testid="message-item"]')) {
            performance.mark('thread-first-item')
            result.firstItem = performance.measure(
              'first-item',
              'thread-click',
              'thread-first-item',
            ).duration
            requestAnimationFrame(() =>
              setTimeout(() => {
                performance.mark('thread-first-item-frame')
                result.firstItemFrame = performance.measure(
                  'first-item-frame',
                  'thread-click',
                  'thread-first-item-frame',
                ).duration
                if (result.newestShown) done()
              }),
            )
          }
          const texts = document.querySelectorAll('[data-testid="message-item"] .message__text')
          if (!result.newestShown && Array.from(texts).some((t) => t.textContent === newest)) {
            performance.mark('thread-newest')
            result.newestShown = performance.measure(
              'newest',
              'thread-click',
              'thread-newest',
            ).duration
            if (result.firstItemFrame) done()
          }
        }
        const observer = new MutationObserver(check)
        const done = () => {
          observer.disconnect()
          resolve(result)
        }
        observer.observe(document.body, { childList: true, subtree: true, characterData: true })
        performance.clearMarks()
        performance.clearMeasures()
        performance.mark('thread-click')
        ;(document.querySelector('[data-testid="conversation-item"]') as HTMLElement).click()
      }),
    newestText,
  )
  const clicked = performance.now()
  await page.getByTestId('message-item').first().waitFor({ state: 'visible' })
  const playwrightVisibleMs = performance.now() - clicked
  const inPage = await timing
  const paints = await page.evaluate(() =>
    Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])),
  )
  return {
    firstItemMs: inPage.firstItem,
    firstItemFrameMs: inPage.firstItemFrame,
    playwrightVisibleMs,
    newestShownMs: inPage.newestShown,
    firstPaintMs: paints['first-paint'] ?? null,
    firstContentfulPaintMs: paints['first-contentful-paint'] ?? null,
  }
}

interface ScrollResult {
  durationMs: number
  frames: number[]
  longTasks: number[]
  reachedStart: boolean
  renderedRowsAtEnd: number
}

/**
 * Scrolls the thread up by `step` px every animation frame until the start of the history shows.
 * When the view sits at the top while an older page loads, it waits (frames keep being timed).
 */
async function scrollHistory(page: Page, step: number, limitMs: number): Promise<ScrollResult> {
  return page.evaluate(
    ({ step, limitMs }) =>
      new Promise<ScrollResult>((resolve) => {
        const list = document.querySelector('[data-testid="message-list"]') as HTMLElement
        const frames: number[] = []
        const longTasks: number[] = []
        const observer = new PerformanceObserver((entries) => {
          for (const entry of entries.getEntries()) longTasks.push(entry.duration)
        })
        observer.observe({ type: 'longtask', buffered: false })
        const started = performance.now()
        let last = started
        const tick = (now: number) => {
          frames.push(now - last)
          last = now
          const atStart = Array.from(document.querySelectorAll('.thread__start')).some(
            (el) => el.getBoundingClientRect().bottom > list.getBoundingClientRect().top,
          )
          if ((atStart && list.scrollTop <= 0) || now - started > limitMs) {
            observer.disconnect()
            const rows = document.querySelectorAll('[data-testid="message-item"]')
            resolve({
              durationMs: now - started,
              frames: frames.slice(1),
              longTasks,
              reachedStart: atStart,
              renderedRowsAtEnd: rows.length,
            })
            return
          }
          list.scrollTop = Math.max(0, list.scrollTop - step)
          requestAnimationFrame(tick)
        }
        requestAnimationFrame((now) => {
          last = now
          requestAnimationFrame(tick)
        })
      }),
    { step, limitMs },
  )
}

// ---- Statistics and output ---------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]!
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits))

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'out/renderer/index.html'))) {
    throw new Error('out/renderer is missing: run `npm run bench:renderer` (builds first).')
  }
  const backend = new Backend()
  await backend.start()
  const renderer = await serveRenderer()
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  let client: DesktopClient | undefined
  try {
    console.log(`Seeding ${MESSAGES} messages over REST (${SEED_CONCURRENCY} in parallel)…`)
    const { conversation, seedMs } = await seed(backend.url)
    console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`)

    client = await DesktopClient.launch(browser, backend.url)
    // tsx compiles this file with esbuild's keepNames, which wraps the functions passed to
    // page.evaluate in calls to its `__name` helper; give the page a no-op one.
    await client.context.addInitScript({ content: 'globalThis.__name = (fn) => fn' })
    await client.core.handle('session/login', { username: BOB.username, password: BOB.password })
    const page = await client.open(renderer.url)
    await page.getByTestId('conversation-item').first().waitFor()

    console.log(`Opening the conversation ${OPEN_RUNS} times (page reloaded each time)…`)
    const newestText = messageText(MESSAGES - 1)
    const opens: OpenRun[] = []
    for (let run = 0; run < OPEN_RUNS; run++) opens.push(await measureOpen(page, newestText))

    console.log(`Scrolling through the history, ${SCROLL_STEP_PX} px per frame…`)
    // Count the older pages the renderer asks main for, and how long main takes to answer.
    const pageLoads: number[] = []
    const core = client.core
    const handle = core.handle.bind(core)
    core.handle = (async (channel, request) => {
      if (channel !== 'messages/history') return handle(channel, request)
      const started = performance.now()
      try {
        return await handle(channel, request)
      } finally {
        pageLoads.push(performance.now() - started)
      }
    }) as typeof core.handle
    const progress = setInterval(() => {
      void page
        .evaluate(() => {
          const list = document.querySelector('[data-testid="message-list"]') as HTMLElement
          const first = document.querySelector('[data-testid="message-item"] .message__text')
          return `top=${list.scrollTop} height=${list.scrollHeight} first=${first?.textContent?.slice(0, 8)}`
        })
        .then((state) => console.log(`  ${pageLoads.length} pages; ${state}`))
        .catch(() => undefined)
    }, 5_000)
    const scroll = await scrollHistory(page, SCROLL_STEP_PX, SCROLL_TIME_LIMIT_MS)
    clearInterval(progress)
    core.handle = handle
    const history = await client.core.handle('messages/history', {
      conversation_id: conversation.id,
      limit: 1,
    })
    const oldestShown = await page
      .getByTestId('message-item')
      .first()
      .locator('.message__text')
      .textContent()

    const sorted = [...scroll.frames].sort((a, b) => a - b)
    const summary = {
      generated_at: new Date().toISOString(),
      environment: {
        node: process.version,
        chromium: browser.version(),
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? 'unknown',
        load_average_1m: round(os.loadavg()[0] ?? 0, 2),
        viewport: '1280x800',
      },
      messages: MESSAGES,
      newest_message_id: history.messages.at(-1)?.id ?? null,
      seed_ms: round(seedMs),
      open_runs: opens.map((o) => ({
        first_paint_ms: o.firstPaintMs && round(o.firstPaintMs),
        first_contentful_paint_ms: o.firstContentfulPaintMs && round(o.firstContentfulPaintMs),
        click_to_first_item_ms: round(o.firstItemMs),
        click_to_first_item_frame_ms: round(o.firstItemFrameMs),
        click_to_newest_shown_ms: round(o.newestShownMs),
        click_to_visible_playwright_ms: round(o.playwrightVisibleMs),
      })),
      open_median: {
        first_contentful_paint_ms: round(
          median(opens.map((o) => o.firstContentfulPaintMs ?? NaN).filter(Number.isFinite)),
        ),
        click_to_first_item_ms: round(median(opens.map((o) => o.firstItemMs))),
        click_to_first_item_frame_ms: round(median(opens.map((o) => o.firstItemFrameMs))),
        click_to_newest_shown_ms: round(median(opens.map((o) => o.newestShownMs))),
        click_to_visible_playwright_ms: round(median(opens.map((o) => o.playwrightVisibleMs))),
      },
      scroll: {
        step_px_per_frame: SCROLL_STEP_PX,
        duration_ms: round(scroll.durationMs),
        reached_start: scroll.reachedStart,
        oldest_shown: oldestShown,
        older_pages_loaded: pageLoads.length,
        older_page_load_ms_median: round(median(pageLoads)),
        frames: sorted.length,
        frame_ms: {
          p50: round(percentile(sorted, 50), 2),
          p95: round(percentile(sorted, 95), 2),
          p99: round(percentile(sorted, 99), 2),
          max: round(sorted.at(-1) ?? NaN, 2),
          mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length), 2),
        },
        frames_over_16_7ms: sorted.filter((f) => f > 16.7).length,
        // Vsync jitter puts many on-time frames at 16.7-16.9 ms: 25 ms means a frame was missed.
        frames_over_25ms: sorted.filter((f) => f > 25).length,
        frames_over_50ms: sorted.filter((f) => f > 50).length,
        long_tasks: scroll.longTasks.length,
        long_task_total_ms: round(scroll.longTasks.reduce((a, b) => a + b, 0)),
        message_rows_in_dom_at_end: scroll.renderedRowsAtEnd,
      },
    }

    fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true })
    fs.writeFileSync(RESULT_FILE, `${JSON.stringify(summary, null, 2)}\n`)
    printTable(summary)
    console.log(`\nJSON: ${path.relative(ROOT, RESULT_FILE)}`)
    if (!scroll.reachedStart) {
      console.error('The scroll did not reach the start of the history within the time limit.')
      process.exitCode = 1
    }
  } finally {
    await client?.close().catch(() => undefined)
    await browser.close()
    await renderer.close()
    await backend.stop()
    fs.rmSync(backend.dataDir, { recursive: true, force: true })
  }
}

function printTable(s: {
  messages: number
  seed_ms: number
  environment: { cpus: number; load_average_1m: number; chromium: string }
  open_median: Record<string, number>
  scroll: {
    duration_ms: number
    older_pages_loaded: number
    older_page_load_ms_median: number
    frames: number
    frame_ms: Record<string, number>
    frames_over_16_7ms: number
    frames_over_25ms: number
    frames_over_50ms: number
    long_tasks: number
    long_task_total_ms: number
    message_rows_in_dom_at_end: number
    reached_start: boolean
  }
}): void {
  const rows: [string, string][] = [
    ['messages in the conversation', String(s.messages)],
    [
      'Chromium / CPUs / load (1 min)',
      `${s.environment.chromium} / ${s.environment.cpus} / ${s.environment.load_average_1m}`,
    ],
    [
      'first contentful paint of the window (median)',
      `${s.open_median.first_contentful_paint_ms} ms`,
    ],
    ['click → first message-item in DOM (median)', `${s.open_median.click_to_first_item_ms} ms`],
    [
      'click → frame after first message-item (median)',
      `${s.open_median.click_to_first_item_frame_ms} ms`,
    ],
    ['click → newest message shown (median)', `${s.open_median.click_to_newest_shown_ms} ms`],
    [
      'click → visible, seen by Playwright (median)',
      `${s.open_median.click_to_visible_playwright_ms} ms`,
    ],
    ['scroll to the start: duration', `${(s.scroll.duration_ms / 1000).toFixed(1)} s`],
    [
      'scroll: older pages loaded (median IPC+REST)',
      `${s.scroll.older_pages_loaded} (${s.scroll.older_page_load_ms_median} ms)`,
    ],
    ['scroll: frames', String(s.scroll.frames)],
    [
      'frame time p50 / p95 / p99 / max',
      `${s.scroll.frame_ms.p50} / ${s.scroll.frame_ms.p95} / ${s.scroll.frame_ms.p99} / ${s.scroll.frame_ms.max} ms`,
    ],
    [
      'frames > 16.7 ms',
      `${s.scroll.frames_over_16_7ms} (${((100 * s.scroll.frames_over_16_7ms) / Math.max(1, s.scroll.frames)).toFixed(1)} %)`,
    ],
    [
      'frames > 25 ms (a vsync missed)',
      `${s.scroll.frames_over_25ms} (${((100 * s.scroll.frames_over_25ms) / Math.max(1, s.scroll.frames)).toFixed(1)} %)`,
    ],
    [
      'frames > 50 ms',
      `${s.scroll.frames_over_50ms} (${((100 * s.scroll.frames_over_50ms) / Math.max(1, s.scroll.frames)).toFixed(1)} %)`,
    ],
    ['long tasks (count / total)', `${s.scroll.long_tasks} / ${s.scroll.long_task_total_ms} ms`],
    ['message rows in the DOM at the end', String(s.scroll.message_rows_in_dom_at_end)],
    ['reached the start of the history', s.scroll.reached_start ? 'yes' : 'NO'],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  console.log('')
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`)
}

await main()
