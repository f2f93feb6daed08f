import type { Intent } from './schema.js'

/**
 * How people ask for each task, as data. Adding a phrasing is adding a line here (and a corpus case).
 *
 * Phrase syntax (case-insensitive, matched on whole words):
 * - words separated by spaces match any whitespace; a hyphen in a word also matches a space or nothing
 *   ("over-allocated" = "over allocated" = "overallocated"); an apostrophe is optional ("who's" = "whos");
 * - `word*` matches the word with any ending ("staff*" = staff, staffing, staffed);
 * - `(a|b c)` is one of the alternatives; a trailing `?` makes a word or group optional;
 * - `...` is a short gap within the sentence ("how is ... doing" around "Acme"). Only the words around
 *   gaps are claimed as the signal, so names and figures inside stay for the other extractors.
 *
 * The most specific phrase wins: a phrase scores its number of literal words plus the entry's `boost`, so
 * "replan" beats "plan" and "who is over-allocated" beats "who is".
 */
export interface PhraseEntry {
  intent: Exclude<Intent, 'setup_staff_quote'>
  phrases: readonly string[]
  boost?: number
  /** Words claimed as part of the request once the intent fired (modifiers such as "drop", "raise"). */
  also?: readonly string[]
}

export const PHRASES: readonly PhraseEntry[] = [
  {
    intent: 'convert_quote',
    boost: 3,
    phrases: [
      '(convert*|turn*) ... quote*',
      'quote* ... (was|is|has been|got) (won|accepted|signed)',
      '(create|make|set up|spin up) (a|the)? project from (the|this|that)? ... quote',
    ],
    also: ['won', 'into (a|an)? (live|real)? project'],
  },
  {
    intent: 'request_approval',
    boost: 3,
    phrases: [
      '(request|ask for|get|seek|needs?|requires?) approval',
      '(send|submit|put) ... (to|for) (approval|sign-off|signoff|sign off)',
      'approve ... quote',
      'who (needs to|must|should|has to) approve',
    ],
  },
  {
    intent: 'revise_quote',
    boost: 2,
    phrases: [
      '(revise|update|change|adjust|amend|rework|redo|modify|edit|tweak|re-issue|reissue) ... quote*',
      '(new version|revision|v2|v3|version 2|version 3) of ... quote*',
      '(add|include|put) ... (to|in|into|on) (the|this|our|that)? ... quote',
      '(raise|lower|increase|reduce|bump|cut|drop) ... (on|in|for|of) (the|this|our|that)? ... quote',
      '(remove|drop|take out|delete) ... from (the|this|our|that)? ... quote',
      're-quote',
      'requote',
      'new version of',
    ],
    also: ['drop', 'reduce', 'lower', 'cut', 'raise', 'increase', 'bump', 'set', 'change', 'move', 'make'],
  },
  {
    intent: 'what_if',
    boost: 3,
    phrases: [
      'what (if|happens if|would happen if)',
      'what (happens|would happen) ... if',
      '(if|when) ... (leaves|quits|resigns|goes on leave)',
      '(suppose|imagine|assuming|assume) (we|that)?',
      'if we (win|won|land|lose|sign)',
      'scenario',
      'without (booking|changing|writing) anything',
      '(leaves|left|quits|resigns|leaving) ... who would be over',
    ],
  },
  {
    intent: 'over_allocation',
    boost: 3,
    phrases: [
      'over-allocat*',
      'overallocat*',
      'over-book*',
      'overbook*',
      'double-book*',
      'doublebook*',
      'over (capacity|their capacity|100%)',
      '(booking|scheduling|resourcing|allocation) (conflicts?|clashes?)',
      '(conflicts?|clashes?) (in|across|for)? (the|our)? (bookings?|allocations?|schedule|calendar)',
      'booked (more than|over|beyond) (their)? capacity',
      'too much work',
      'stretched too thin',
    ],
  },
  {
    intent: 'bench',
    boost: 3,
    phrases: [
      'bench',
      "who('s| is| are)? (free|idle|unassigned|unbooked|not booked|without work)",
      '(spare|free|unused|idle) capacity',
      '(not|un) (allocated|assigned|booked) (to|on) anything',
      'nothing (booked|to do|on)',
      'who has (time|capacity|room)',
    ],
  },
  {
    intent: 'utilisation',
    boost: 2,
    phrases: [
      '(utilisation|utilization|utilised|utilized|util)',
      'how (utilised|utilized)',
      '(how|who is) (busy|loaded)',
      '(capacity|load) (forecast|plan|outlook|report|view)',
      'forecast ... (capacity|load|hours)',
      'billable (hours|%|percentage|ratio)',
      '(under|below) (their)? target',
      "who('s| is| are)? (below|under|short of|behind)",
    ],
  },
  {
    intent: 'baseline',
    boost: 3,
    phrases: [
      '(take|set|capture|save|record|create|make|freeze|lock) (a|the|an)? (new)? baseline',
      'baseline (the|this|it|our|that)',
      '(snapshot|save|freeze) ... (as|into) (a|the)? baseline',
      're-baseline',
      'rebaseline',
    ],
  },
  {
    intent: 'compare_baseline',
    boost: 4,
    phrases: [
      '(compare*|compared|comparison) ... baseline',
      '(vs|versus|against|from|since|to|with) (the|its|our)? (original|kick-off|last)? baseline',
      'baseline (vs|versus|variance|drift|comparison|delta)',
      '(variance|drift|slip*|changed|moved|deviat*) ... (baseline|original plan)',
      '(how far|how much) ... (slipped|moved|drifted)',
    ],
  },
  {
    intent: 'replan',
    boost: 4,
    phrases: [
      're-plan',
      'replan*',
      'reschedule',
      '(finish*|end|deliver|land|complete|done|go live|go-live|launch) ... (earlier|sooner|faster|early|later)',
      '(bring|pull|move) ... (forward|in|earlier)',
      '(push|move|shift|slip|delay|postpone) ... (start|end|deadline|go-live|launch|kick-off|by|to|back)',
      '(delay|postpone|push back) (the|it|this)?',
      '(is|will be|are) (out|away|off|on leave|unavailable|on holiday|on vacation)',
      '(compress|crash|fast-track) (the|this)? (schedule|plan|timeline)?',
      'move the (end|start) date',
    ],
  },
  {
    intent: 'schedule',
    boost: 3,
    phrases: [
      'critical path',
      '(level|levelling|leveling) (the)? (resources|schedule|plan)?',
      'resource-level*',
      '(schedule|sequence) ... against (our|the|real|actual)? ... capacity',
      'what (sets|drives|determines|decides|constrains) the (end|finish) (date)?',
      "(what's|what is) (driving|holding up|constraining) the (end|finish|date)",
      '(when|how soon) (can|could|will) ... (finish|end|be done|complete)',
    ],
  },
  {
    intent: 'status_check',
    boost: 1,
    phrases: [
      "how('s| is| are)? (things)? (with|on|at)? ... (doing|going|tracking|progressing|looking|getting on)",
      '(status|health|health check|progress|burn|burn rate|forecast at completion|eac|etc|vac|cpi|spi)',
      'earned value',
      "how('s| is| are) things (with|on|at)",
      "(what's|what is) (happening|going on) (with|on|at)",
      '(on track|behind schedule|over budget|at risk|late milestones?|milestones? (late|slipping|at risk))',
      '(is|are) ... (on|within|under|over) budget',
      '(update|report) on',
      '(red|amber|green) (projects?|ones?|status)',
      'which projects ... (red|amber|late|over|behind|risk)',
      '(is|are) ... (late|behind|on time|slipping)',
      '(portfolio|projects) (summary|overview|review|report)',
      'how much (budget|money) (is|has been)? (left|used|spent|burnt|burned)',
    ],
  },
  {
    intent: 'find_candidates',
    boost: 1,
    phrases: [
      "who('s| is| are)? (can|could|is able to|would be able to|might|should|available|free to|suitable)",
      '(find|suggest|recommend|shortlist|rank|identify|search for|look for|propose|get) ... (candidates?|people|someone|somebody|anyone|consultants?|matches|cover|replacements?|backfill)',
      '(find|suggest|recommend|shortlist) (me)?',
      'candidates?',
      'who ... (available|has the skills?|knows|could do|could cover|fits?|matches)',
      'anyone (with|who)',
      'best (fit|person|people|match)',
    ],
    also: ['available', 'cover'],
  },
  {
    // Asking what is open is a listing, not a request to staff it ("what open requests do we have?").
    intent: 'open_requests',
    boost: 3,
    phrases: [
      '(what|which|show|list|any) (me)? (the|our|all)? (open|unfilled|unstaffed|outstanding|pending) (resource)? (requests?|roles?|positions?)',
      '(open|unfilled|unstaffed|outstanding) (resource)? (requests?|roles?|positions?) (do we have|are there|are open|are left|remain)',
      'list (the|our|all)? (open)? (resource)? requests',
    ],
  },
  {
    intent: 'staff',
    boost: 1,
    phrases: [
      'staff*',
      '(assign|allocate|book) (people|someone|the team|a team)?',
      'resource (the|this|our|these)',
      'fill (the|our)? (open|remaining|empty|vacant)? (roles?|positions?|gaps?|requests?|slots?)',
      'open (resource)? requests',
      '(open|unfilled|unstaffed|vacant) (roles?|positions?|requests?|slots?|needs)',
      'everything (open|unfilled|unstaffed)',
      '(fill|staff|resource) ... (open|unfilled|unstaffed|remaining|vacant) (roles?|positions?|requests?|slots?|needs)',
      'find (the|a)? team',
      'who (should|will) work on',
    ],
  },
  {
    intent: 'quote',
    boost: 1,
    phrases: [
      'quot(e|es|ing)',
      'price',
      'pric(e|ing) (up|out)',
      'pricing for',
      'cost (up|out)',
      '(estimate|price) (for|of)',
      '(how much|what) (would|will|does) ... (cost|charge)',
      '(proposal|sow|statement of work) (for|with)',
      'retainer',
      'rate card',
      '(fixed fee|fixed price|fixed-fee|fixed-price|time and materials|t&m)',
    ],
  },
  {
    intent: 'plan',
    boost: 1,
    phrases: [
      '(create|build|draft|make|prepare|put together|produce|write|come up with|give me|sketch|rough out) (me)? (a|an|the)? (project)? (plan|schedule)',
      '(re)?plan(ning)?',
      'schedule',
      'set up (a|an|the)? (new)? (project)?',
      '(kick-off|kickoff|kick off|start|spin up) (a|the)? new project',
      'new project',
      '(create|build|draft) (a|an|the)? (new)? project',
      '(create|build|draft|set up|spin up) (a|an)? (new)? ... project for',
      '(we|i) (need|want) (a|an) ... (plan|project)',
      '(we|i) (need|want|would like) (a|an) (new)? ... (website|site|app|platform|portal|discovery|rollout|migration|rebuild|redesign|replatform|implementation)',
    ],
  },
]
