'use client'

import { useEffect, useState } from 'react'
import { accessToken } from '../../lib/api/browser'
import type { SessionEvent } from '../../lib/api/types'
import { followEventStream } from '../../lib/sse'

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed'

const storageKey = (id: string) => `psa:session-events:${id}`

function restore(id: string): SessionEvent[] {
  try {
    const raw = sessionStorage.getItem(storageKey(id))
    return raw ? (JSON.parse(raw) as SessionEvent[]) : []
  } catch {
    return []
  }
}

function keep(id: string, events: SessionEvent[]): void {
  try {
    sessionStorage.setItem(storageKey(id), JSON.stringify(events))
  } catch {
    // Storage full or unavailable: a reload then replays the stream from the start instead.
  }
}

/**
 * A session's events as they happen. The events seen so far are kept in sessionStorage, so a reload shows
 * them at once and the stream resumes after the last one (Last-Event-ID); a dropped connection resumes the
 * same way. Each event arrives exactly once, in order.
 */
export function useSessionEvents(sessionId: string): { events: SessionEvent[]; state: StreamState } {
  const [events, setEvents] = useState<SessionEvent[]>([])
  const [state, setState] = useState<StreamState>('connecting')
  useEffect(() => {
    const restored = restore(sessionId)
    let seen = restored
    setEvents(restored)
    const last = restored.at(-1)
    if (last && isTerminal(last)) {
      setState('closed')
      return
    }
    const controller = new AbortController()
    void followEventStream({
      url: `/api/sessions/${sessionId}/events`,
      token: () => accessToken(),
      lastEventId: last ? String(last.seq) : undefined,
      signal: controller.signal,
      onState: setState,
      onEvent: (message) => {
        if (!message.id || message.event === 'stream_error' || message.event === 'reconnect') return
        const event = JSON.parse(message.data) as SessionEvent
        if (event.seq <= (seen.at(-1)?.seq ?? 0)) return
        seen = [...seen, event]
        keep(sessionId, seen)
        setEvents(seen)
      },
      isFinal: (message) =>
        message.event === 'status_changed' && isTerminal(JSON.parse(message.data) as SessionEvent),
    })
    return () => controller.abort()
  }, [sessionId])
  return { events, state }
}

export function isTerminal(event: SessionEvent): boolean {
  const status = event.type === 'status_changed' ? event.data.status : undefined
  return status === 'completed' || status === 'failed' || status === 'cancelled'
}
