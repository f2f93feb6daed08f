// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../lib/api/types'
import { ThinkingLog } from './thinking-log'

afterEach(cleanup)

const event = (seq: number, type: SessionEvent['type'], data: Record<string, unknown>): SessionEvent => ({
  session_id: 's',
  seq,
  time: '2026-11-25T12:00:00Z',
  agent: 'quotes',
  type,
  data,
})

describe('ThinkingLog', () => {
  it('shows reasoning, a tool call with its input and summary as one entry, the proposal and the queue place', () => {
    render(
      <ThinkingLog
        events={[
          event(1, 'status_changed', { status: 'queued', message: 'Queued', queue_position: 2 }),
          event(2, 'reasoning', { text: 'I will price 200 h of senior development.' }),
          event(3, 'tool_call_started', {
            tool_use_id: 't1',
            name: 'price_quote',
            input: { lines: [{ hours: 200 }] },
          }),
          event(4, 'tool_call_finished', {
            tool_use_id: 't1',
            name: 'price_quote',
            ok: true,
            summary: 'Priced at $36,575',
            output: {},
            duration_ms: 12,
          }),
          event(5, 'proposal_created', {
            proposal_id: 'p',
            title: 'Draft quote',
            summary: 'Version 1',
            change_count: 3,
          }),
        ]}
      />,
    )
    const items = within(screen.getByRole('list', { name: 'Agent events' })).getAllByRole('listitem')
    expect(items).toHaveLength(4)
    expect(items[0]?.textContent).toContain('position 2 in the queue')
    expect(items[1]?.textContent).toContain('I will price 200 h')
    expect(items[2]?.textContent).toContain('price_quote')
    expect(items[2]?.textContent).toContain('Priced at $36,575')
    expect(items[2]?.textContent).toContain('"hours": 200')
    expect(items[3]?.textContent).toContain('Draft quote')
  })
})
