// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Session } from '../../lib/api/types'
import { childSessions, SessionTree, treeIsLive } from './session-tree'

afterEach(cleanup)

const session = (id: string, parent: string | null, status: Session['status'], created: string): Session => ({
  session_id: id,
  status,
  result: null,
  error_code: null,
  agents_involved: [],
  processing_time_ms: 0,
  type: 'quotes',
  request: `request ${id}`,
  context: {},
  user_id: null,
  organisation_id: null,
  attempts: 1,
  parent_session_id: parent,
  auto_apply: false,
  queue_position: 0,
  created_at: `2026-12-01T10:00:${created}Z`,
  started_at: null,
  completed_at: null,
  usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
  last_event_seq: 0,
})

const sessions = [
  session('quote', 'run', 'queued', '03'),
  session('plan', 'run', 'completed', '01'),
  session('staff', 'run', 'processing', '02'),
  session('nested', 'staff', 'completed', '04'),
  session('run', null, 'processing', '00'),
  session('other', null, 'completed', '05'),
]

describe('SessionTree', () => {
  it('nests delegated sessions under the session that delegated them, in the order they were handed out', () => {
    render(<SessionTree sessions={sessions} parentId="run" item={(s) => <span>{s.session_id}</span>} />)
    const [top, nested] = screen.getAllByRole('list', { name: 'Delegated sessions' })
    const items = within(top as HTMLElement).getAllByRole('listitem')
    expect(items.map((li) => li.firstChild?.textContent)).toEqual(['plan', 'staff', 'nested', 'quote'])
    expect(within(nested as HTMLElement).getByText('nested')).toBeTruthy()
    expect(screen.queryByText('other')).toBeNull()
  })

  it('says whether anything below a session is still running', () => {
    expect(childSessions(sessions, 'run').map((s) => s.session_id)).toEqual(['plan', 'staff', 'quote'])
    expect(treeIsLive(sessions, 'run')).toBe(true)
    expect(treeIsLive(sessions, 'staff')).toBe(false)
    expect(treeIsLive(sessions, 'other')).toBe(false)
  })

  it('draws nothing for a session that delegated nothing', () => {
    const { container } = render(
      <SessionTree sessions={sessions} parentId="other" item={(s) => <span>{s.session_id}</span>} />,
    )
    expect(container.innerHTML).toBe('')
  })
})
