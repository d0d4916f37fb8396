import { LineIcon } from './LineIcon'

/** A push pin, the sign for a pinned conversation. */
export function PinIcon({ className }: { className?: string }) {
  return (
    <LineIcon className={className}>
      <path d="M12 17v5" />
      <path d="M9 3h6l-1 7 4 3v2H6v-2l4-3z" />
    </LineIcon>
  )
}
