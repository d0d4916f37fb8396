import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

const root = import.meta.dirname

/**
 * The pages' Content-Security-Policy allows styles only from the app's own files: the built
 * renderer links its CSS and React sets styles through the DOM, which CSP does not govern. The dev
 * server injects CSS as <style> elements (for hot reload), so in development alone inline styles
 * are allowed.
 */
function inlineStylesInDevelopment(): Plugin {
  return {
    name: 'tidings:dev-inline-styles',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';"),
  }
}

// Three builds (electron-vite 6 on Vite 8 / Rolldown), into out/ (or `--outDir`):
// - main: the Electron entry and the bundled-server utility-process entry, as ES modules
//   (package.json is "type": "module") → out/main/index.js and out/main/serverProcess.js.
//   Dependencies stay external (loaded from node_modules); better-sqlite3 always, being native.
// - preload: ONE CommonJS file, out/preload/index.cjs. A sandboxed preload cannot be an ES module,
//   and the .cjs extension keeps Node from reading it as ESM under "type": "module".
// - renderer: the two pages, index.html (main window) and settings.html.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: { include: ['better-sqlite3'] },
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          serverProcess: resolve(root, 'src/main/serverProcess.ts'),
        },
        external: ['better-sqlite3'],
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      // Dependencies bundled too (the IPC table in src/shared/ipc.ts builds TypeBox schemas): a
      // sandboxed preload can require only 'electron'.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          // Everything in one file: a sandboxed preload can require only 'electron'.
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [react(), inlineStylesInDevelopment()],
    build: {
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/renderer/index.html'),
          settings: resolve(root, 'src/renderer/settings.html'),
        },
      },
    },
  },
})
