import { useEffect, useRef, type ReactNode } from 'react'

/**
 * A native modal `<dialog>`: shown with showModal() when mounted (focus moves in, the rest of the
 * window is inert) and closed when unmounted; Escape asks the owner to close it through `onClose`
 * instead of closing it behind React's back.
 */
export function ModalDialog({
  labelledBy,
  testId,
  onClose,
  children,
}: {
  labelledBy: string
  testId: string
  onClose: () => void
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={labelledBy}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
    >
      {children}
    </dialog>
  )
}
