'use client'

import { useState } from 'react'
import { useCurrentPageContext } from '../shell/agent-context'
import { Button } from '../ui/button'
import { Dialog } from '../ui/dialog'
import { Composer } from './composer'

/** The header's "Ask an agent": the composer in a dialog, with what the current page is about as context. */
export function AskAgent() {
  const [open, setOpen] = useState(false)
  const page = useCurrentPageContext()
  return (
    <>
      <Button variant="primary" size="small" onClick={() => setOpen(true)}>
        Ask an agent
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Ask an agent"
        description={
          page
            ? `About ${page.label}: its id goes with the request.`
            : 'Requests are queued and answered live.'
        }
      >
        <Composer
          key={page?.label ?? 'none'}
          context={page?.context}
          contextLabel={page?.label}
          {...(page?.agent ? { initialAgent: page.agent } : {})}
          onSubmitted={() => setOpen(false)}
        />
      </Dialog>
    </>
  )
}
