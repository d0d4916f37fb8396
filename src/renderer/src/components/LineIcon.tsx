import type { ReactNode } from 'react'

/**
 * The frame of the app's line icons: a 24-unit square drawn in the text colour, so an icon
 * follows the theme and the state of the button it sits in. Decorative: whoever shows one gives
 * the meaning in text (a label or the button's name).
 */
export function LineIcon({ className, children }: { className?: string; children: ReactNode }) {
  return (
    <svg
      className={className}
      viewBox="0 0 24 24"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  )
}
