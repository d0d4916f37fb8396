import { LineIcon } from './LineIcon'

/** A crossed-out bell, the sign for muted notifications. */
export function BellOffIcon({ className }: { className?: string }) {
  return (
    <LineIcon className={className}>
      <path d="M13.7 21a2 2 0 0 1-3.4 0" />
      <path d="M18.6 13A17.9 17.9 0 0 1 18 8" />
      <path d="M6.3 6.3A5.9 5.9 0 0 0 6 8c0 7-3 9-3 9h14" />
      <path d="M18 8a6 6 0 0 0-9.3-5" />
      <path d="M2 2l20 20" />
    </LineIcon>
  )
}
