// The gateway's answers as its zod schemas declare them: aliases into the types generated from its OpenAPI
// document (gen/gateway.ts, `npm run web:api-types`), so a schema change there is a type error here.
import type { components } from './gen/gateway'

type Schemas = components['schemas']

export type Me = Schemas['Me']
export type Organisation = Me['organisations'][number]
export type Role = Organisation['role']

export type Dashboard = Schemas['Dashboard']
export type Utilisation = Dashboard['utilisation']
export type Revenue = Dashboard['revenue']

export type Project = Schemas['Project']
export type ProjectListItem = Schemas['ProjectListItem']
export type ProjectDetail = Schemas['ProjectDetail']
export type Ref = Project['client']
export type Health = Project['health']
export type HealthReason = ProjectListItem['health_reasons'][number]
export type Burn = ProjectDetail['burn']
export type Task = ProjectDetail['tasks'][number]

export type Resource = Schemas['Resource']
export type ResourceDetail = Schemas['ResourceDetail']
export type Skill = Resource['skills'][number]
export type WeekLoad = ResourceDetail['utilisation'][number]
export type CapacityHeatmap = Schemas['CapacityHeatmap']

export type Quote = Schemas['Quote']
export type QuoteDetail = Schemas['QuoteDetail']
export type QuoteStatus = Quote['status']
export type QuoteVersion = QuoteDetail['versions'][number]
export type QuoteLine = QuoteVersion['lines'][number]

export type Session = Schemas['AgentResponse']
export type SessionStatus = Session['status']
export type AgentType = NonNullable<Session['type']>
export type QueuePosition = Schemas['QueuePosition']

export type Proposal = Schemas['Proposal']
export type ProposalStatus = Proposal['status']
export type ProposalDiff = Schemas['ProposalDiff']

/**
 * One event of a session's stream. The stream is Server-Sent Events, which OpenAPI describes only as text,
 * so this envelope is the one shape written here (as the gateway's route documents it).
 */
export interface SessionEvent {
  session_id: string
  seq: number
  time: string
  agent: string
  type:
    | 'status_changed'
    | 'reasoning'
    | 'tool_call_started'
    | 'tool_call_finished'
    | 'proposal_created'
    | 'final_result'
    | 'error'
    | 'child_session'
  data: Record<string, unknown>
}
