'use client'

import { useEffect, useState } from 'react'

let settled = false

/**
 * False until the page has loaded (its streamed content included) and the browser is idle, then true for
 * the rest of the visit. Work that can wait — prefetching other pages, opening the change feed — waits for
 * it, so it does not compete with the page's own content for the server and the CPU on the first load.
 */
export function usePageSettled(): boolean {
  const [value, setValue] = useState(settled)
  useEffect(() => {
    if (settled) return
    let cancelled = false
    const done = () => {
      settled = true
      if (!cancelled) setValue(true)
    }
    const whenIdle = () =>
      'requestIdleCallback' in window ? requestIdleCallback(done, { timeout: 1_000 }) : setTimeout(done, 100)
    if (document.readyState === 'complete') whenIdle()
    else window.addEventListener('load', whenIdle, { once: true })
    return () => {
      cancelled = true
      window.removeEventListener('load', whenIdle)
    }
  }, [])
  return value
}
