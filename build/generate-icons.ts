// Draws the Tidings icons as SVG and renders them to PNG with headless Chromium, then packs the
// Windows .ico (PNG-compressed entries, Vista+). Run: npx tsx build/generate-icons.ts
// Output (committed): resources/icon.png (1024), resources/icons/<n>x<n>.png (Linux sizes),
// resources/icon.ico, resources/tray/<state>.png (16) + <state>@2x.png (32),
// resources/badge-overlay.png (Windows taskbar overlay).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const root = resolve(import.meta.dirname, '..')
const out = join(root, 'resources')

function appIconSvg(): string {
  // A rounded tile with a speech bubble carrying three "tiding" dots.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#14b8a6"/><stop offset="1" stop-color="#2563eb"/>
    </linearGradient>
  </defs>
  <rect x="64" y="64" width="896" height="896" rx="200" fill="url(#bg)"/>
  <path d="M232 300 h560 a64 64 0 0 1 64 64 v300 a64 64 0 0 1 -64 64 h-300 l-150 120 v-120 h-110
           a64 64 0 0 1 -64 -64 v-300 a64 64 0 0 1 64 -64 z" fill="#ffffff"/>
  <circle cx="372" cy="514" r="54" fill="#14b8a6"/>
  <circle cx="512" cy="514" r="54" fill="#1d9bb8"/>
  <circle cx="652" cy="514" r="54" fill="#2563eb"/>
</svg>`
}

const TRAY_COLORS = {
  connected: '#16a34a',
  reconnecting: '#f59e0b',
  offline: '#9ca3af',
} as const

function traySvg(color: string): string {
  // A bubble in the state colour with a white dot row; readable at 16 px on light and dark bars.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <path d="M5 4 h22 a3 3 0 0 1 3 3 v13 a3 3 0 0 1 -3 3 h-12 l-7 6 v-6 h-3 a3 3 0 0 1 -3 -3 v-13
           a3 3 0 0 1 3 -3 z" fill="${color}" stroke="#1f2937" stroke-width="1.5"/>
  <circle cx="10" cy="13.5" r="2.4" fill="#fff"/>
  <circle cx="16" cy="13.5" r="2.4" fill="#fff"/>
  <circle cx="22" cy="13.5" r="2.4" fill="#fff"/>
</svg>`
}

function overlaySvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <circle cx="16" cy="16" r="14" fill="#dc2626" stroke="#ffffff" stroke-width="3"/>
</svg>`
}

/** An .ico whose entries are PNG files (supported since Windows Vista). */
function packIco(pngs: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(pngs.length, 4)
  const entries: Buffer[] = []
  let offset = 6 + 16 * pngs.length
  for (const { size, data } of pngs) {
    const entry = Buffer.alloc(16)
    entry.writeUInt8(size >= 256 ? 0 : size, 0)
    entry.writeUInt8(size >= 256 ? 0 : size, 1)
    entry.writeUInt8(0, 2)
    entry.writeUInt8(0, 3)
    entry.writeUInt16LE(1, 4)
    entry.writeUInt16LE(32, 6)
    entry.writeUInt32LE(data.length, 8)
    entry.writeUInt32LE(offset, 12)
    offset += data.length
    entries.push(entry)
  }
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.data)])
}

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  const page = await browser.newPage({ deviceScaleFactor: 1 })

  async function render(svg: string, size: number, file: string): Promise<Buffer> {
    await page.setViewportSize({ width: size, height: size })
    await page.setContent(
      `<html><body style="margin:0;background:transparent">` +
        svg.replace('<svg ', `<svg width="${size}" height="${size}" `) +
        `</body></html>`,
    )
    const png = await page.screenshot({
      omitBackground: true,
      clip: { x: 0, y: 0, width: size, height: size },
    })
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, png)
    return png
  }

  const app = appIconSvg()
  await render(app, 1024, join(out, 'icon.png'))
  await render(app, 512, join(out, 'icon-512.png'))
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
    await render(app, size, join(out, 'icons', `${size}x${size}.png`))
  }
  const icoSizes = [16, 24, 32, 48, 64, 128, 256]
  const icoPngs = await Promise.all(
    icoSizes.map(async (size) => ({
      size,
      data: await readFile(join(out, 'icons', `${size}x${size}.png`)),
    })),
  )
  await writeFile(join(out, 'icon.ico'), packIco(icoPngs))

  for (const [state, color] of Object.entries(TRAY_COLORS)) {
    await render(traySvg(color), 16, join(out, 'tray', `${state}.png`))
    await render(traySvg(color), 32, join(out, 'tray', `${state}@2x.png`))
  }
  await render(overlaySvg(), 16, join(out, 'badge-overlay.png'))
  await browser.close()
}

await main()
