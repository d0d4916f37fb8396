/**
 * The OS's languages as the core is given them (CoreHost.systemLocales), in order:
 * `TIDINGS_LOCALE` when set (a developer or tester running the app in another language, the
 * pseudo-locale `en-XA` among them, without changing the OS), then the language Electron runs in
 * (`app.getLocale()`), then the user's preferred languages (`app.getPreferredSystemLanguages()`),
 * so a French user who also reads German gets German. Without repeats or blanks.
 */
export function systemLocalesOf(
  env: Readonly<Record<string, string | undefined>>,
  appLocale: string,
  preferredLanguages: readonly string[],
): string[] {
  const all = [env.TIDINGS_LOCALE ?? '', appLocale, ...preferredLanguages].map((tag) => tag.trim())
  return [...new Set(all.filter((tag) => tag !== ''))]
}
