// Flat config: typescript-eslint's recommended rules everywhere (with the type-aware promise
// rules), React hooks rules in the renderer, and the layer table below, which keeps each folder
// runnable in the process it lives in.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import formatjs from 'eslint-plugin-formatjs'
import globals from 'globals'

/** Node's built-in modules by their bare names ('fs'), matched exactly (not as path segments). */
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'))

/**
 * What a layer may be kept from: modules by exact name (`names`) or path patterns (`group`,
 * gitignore-style, matched against the import as written).
 */
const FORBIDDEN = {
  electron: {
    names: ['electron'],
    message: 'Only src/main/electron, src/main/index.ts and src/preload may import Electron.',
  },
  node: {
    names: NODE_BUILTINS,
    group: ['node:*'],
    message: 'Node built-ins do not exist in a sandboxed page or preload; src/shared runs there.',
  },
  main: { group: ['**/main/**'], message: 'Main-process code stays in main.' },
  electronLayer: {
    group: ['**/electron/**'],
    message: 'src/main/core is Electron-free: the Electron layer calls it, never the other way.',
  },
  renderer: { group: ['**/renderer/**'], message: 'Renderer code stays in the renderer.' },
  preload: { group: ['**/preload/**'], message: 'The preload is imported by Electron only.' },
  server: {
    group: ['**/server/**'],
    message: 'The client talks to the server over HTTP and WebSocket only.',
  },
  /** The bundled server's supervisor launches it with the server's own Node flags. */
  serverButLaunchFlags: {
    group: ['**/server/**', '!**/server/runtimeFlags'],
    message: 'The client talks to the server over HTTP and WebSocket only.',
  },
  /** The server reaches the client code base only through src/shared. */
  clientFromServer: {
    group: ['**/src/main/**', '**/src/renderer/**', '**/src/preload/**'],
    message: 'The server may import src/shared only.',
  },
  /** Components and pages reach IPC only through the stores. */
  ipcFromComponents: {
    group: ['**/ipcClient'],
    importNames: ['ipc'],
    message: 'Components call IPC through the stores (src/renderer/src/stores), not ipc().',
  },
}

/**
 * The layer table, in the spirit of VS Code's layering rule: what each folder may not import.
 * Later rows win for files matched twice (the components row repeats the renderer's row).
 *
 * | layer               | may import                                                    |
 * | ------------------- | ------------------------------------------------------------- |
 * | src/shared          | itself and pure libraries (luxon, typebox)                    |
 * | src/renderer        | src/shared, itself and browser libraries                      |
 * | renderer components | the same, but IPC only through the stores                     |
 * | src/preload         | src/shared, itself and electron                               |
 * | src/main/core       | src/shared, itself, Node and libraries: no electron           |
 * | src/main/electron   | src/main/core, src/shared, itself, electron, Node (and the    |
 * |                     | server's launch flags, server/runtimeFlags.ts)                |
 * | src/main (entries)  | all of src/main, src/shared, the server (the bundled process) |
 * | server/             | src/shared, itself, Node and libraries                        |
 */
const LAYERS = [
  {
    files: ['src/shared/**/*.ts'],
    forbid: ['electron', 'node', 'main', 'renderer', 'preload', 'server'],
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    forbid: ['electron', 'node', 'main', 'preload', 'server'],
  },
  {
    files: [
      'src/renderer/src/components/**/*.tsx',
      'src/renderer/src/App.tsx',
      'src/renderer/src/main.tsx',
      'src/renderer/src/settings.tsx',
    ],
    forbid: ['electron', 'node', 'main', 'preload', 'server', 'ipcFromComponents'],
  },
  { files: ['src/preload/**/*.ts'], forbid: ['node', 'main', 'renderer', 'server'] },
  {
    files: ['src/main/core/**/*.ts'],
    forbid: ['electron', 'electronLayer', 'renderer', 'preload', 'server'],
  },
  { files: ['src/main/electron/**/*.ts'], forbid: ['renderer', 'preload', 'serverButLaunchFlags'] },
  { files: ['src/main/*.ts'], forbid: ['renderer', 'preload'] },
  { files: ['server/**/*.ts'], forbid: ['electron', 'clientFromServer'] },
]

/**
 * Text in the renderer's JSX must come from the message catalog (src/shared/i18n): FormatJS's
 * no-literal-string-in-jsx, on children and on the attributes people read or hear (aria-label,
 * title, placeholder, alt, and our components' label, legend, word...). Only text with a letter
 * in it counts: `{' '}`, `×`, `@` and `99+` are the same in every language.
 */
const literalJsxRule = formatjs.rules['no-literal-string-in-jsx']
const untranslatedJsxText = {
  meta: literalJsxRule.meta,
  create(context) {
    const report = (descriptor) => {
      if (/\p{L}/u.test(reportedText(descriptor.node))) context.report(descriptor)
    }
    return literalJsxRule.create(Object.create(context, { report: { value: report } }))
  },
}

/** The text of a node no-literal-string-in-jsx reports: JSX text, a string, a template. */
function reportedText(node) {
  if (node.type === 'JSXAttribute') return node.value ? reportedText(node.value) : ''
  if (node.type === 'JSXText' || node.type === 'Literal') return String(node.value)
  if (node.type === 'TemplateLiteral') return node.quasis.map((q) => q.value.cooked).join('')
  return ''
}

export default tseslint.config(
  {
    ignores: [
      '.tools/**',
      'out/**',
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'data/**',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches, or one handed where a plain value is
    // expected (an async event listener, a condition), is a bug.
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The messages themselves, wherever they are defined: literal English defaults, ICU that
    // formats (placeholders given, plurals with `one` and `other`), nothing a translator trips on.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { formatjs },
    rules: {
      ...formatjs.configs.recommended.rules,
      // Ids are written by hand (area.thing), read by translators next to the English.
      'formatjs/enforce-description': 'off',
      'formatjs/no-literal-string-in-jsx': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.tsx'],
    plugins: { tidings: { rules: { 'untranslated-jsx-text': untranslatedJsxText } } },
    rules: {
      'tidings/untranslated-jsx-text': [
        'error',
        {
          props: {
            include: [
              [
                '*',
                '{label,placeholder,title,alt,aria-label,aria-description,aria-roledescription,aria-valuetext,legend,emptyText,word,fallbackError}',
              ],
            ],
          },
        },
      ],
    },
  },
  ...LAYERS.map(({ files, forbid }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbid.flatMap((key) => {
            const { names = [], message } = FORBIDDEN[key]
            return names.map((name) => ({ name, message }))
          }),
          patterns: forbid
            .map((key) => FORBIDDEN[key])
            .filter((rule) => rule.group)
            .map(({ names: _names, ...pattern }) => pattern),
        },
      ],
    },
  })),
)
