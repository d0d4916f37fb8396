/**
 * A push pin, the sign for a pinned conversation. Decorative: whoever shows it gives the meaning
 * in text (a label or the button's name).
 */
export function PinIcon({ className }: { className?: string }) {
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
      <path d="M12 17v5" />
      <path d="M9 3h6l-1 7 4 3v2H6v-2l4-3z" />
    </svg>
  )
}
