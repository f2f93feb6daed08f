import type { AgentType } from '../../lib/api/types'

export const AGENTS: { type: AgentType; label: string; does: string }[] = [
  {
    type: 'orchestrator',
    label: 'Orchestrator',
    does: 'Plans, staffs and prices in one go by asking the specialists',
  },
  { type: 'project_management', label: 'Project manager', does: 'Builds and checks project plans' },
  { type: 'resourcing', label: 'Resource manager', does: 'Finds people, books and levels them' },
  { type: 'quotes', label: 'Quotes', does: 'Prices work and drafts quotes' },
]

/** Prompts each agent handles well (the offline model understands these phrasings too). */
export const SUGGESTIONS: Record<AgentType, string[]> = {
  orchestrator: [
    'Set up, staff and quote a 12-week website rebuild for Acme Retail Group starting next month, budget $150k',
  ],
  project_management: [
    'Plan a 12-week website rebuild for Acme Retail Group starting 5 Jan, budget $150k',
    'How is this project doing?',
  ],
  resourcing: [
    "Who can staff Acme's React roles next month without pushing anyone past their utilisation target?",
    'Who is over-allocated this week?',
  ],
  quotes: [
    'Quote 200h senior dev + 80h design for Acme Retail Group at 30% margin, client rate card, 5% discount',
    'Quote 120h lead developer + 40h QA at 25% margin',
  ],
}

export function agentLabel(type: string | null | undefined): string {
  return AGENTS.find((a) => a.type === type)?.label ?? (type ?? 'agent').replaceAll('_', ' ')
}
