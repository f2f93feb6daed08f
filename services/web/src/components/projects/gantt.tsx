'use client'

import './gantt.css'
import { useEffect, useRef } from 'react'
import type { ProjectDetail } from '../../lib/api/types'
import styles from './projects.module.css'

/** Timeline rows: tasks by phase, critical-path tasks marked, milestones as one-day diamonds. */
export function timelineRows(project: ProjectDetail) {
  const critical = new Set(project.critical_path.task_ids)
  const phaseOrder = new Map(project.phases.map((p) => [p.id, p.sequence]))
  const tasks = project.tasks
    .filter((t) => t.starts_on && t.ends_on)
    .sort(
      (a, b) =>
        (phaseOrder.get(a.phase_id ?? '') ?? 99) - (phaseOrder.get(b.phase_id ?? '') ?? 99) ||
        (a.starts_on as string).localeCompare(b.starts_on as string),
    )
    .map((t) => ({
      id: t.id,
      name: t.name,
      start: t.starts_on as string,
      end: t.ends_on as string,
      progress: Number(t.percent_complete),
      dependencies: project.dependencies
        .filter((d) => d.successor_task_id === t.id)
        .map((d) => d.predecessor_task_id),
      custom_class: critical.has(t.id) ? 'psa-critical' : 'psa-task',
    }))
  const milestones = project.milestones.map((m) => ({
    id: m.id,
    name: `◆ ${m.name}`,
    start: m.due_on,
    end: m.due_on,
    progress: m.completed_on ? 100 : 0,
    dependencies: [] as string[],
    custom_class: m.late ? 'psa-milestone-late' : 'psa-milestone',
  }))
  return [...tasks, ...milestones]
}

/** The project's Gantt chart (frappe-gantt, read-only): dependencies as arrows, the critical path in red. */
export default function Gantt({ project }: { project: ProjectDetail }) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = host.current
    if (!element) return
    let cancelled = false
    void import('frappe-gantt').then(({ default: FrappeGantt }) => {
      if (cancelled) return
      element.replaceChildren()
      new FrappeGantt(element, timelineRows(project), {
        view_mode: 'Week',
        readonly: true,
        popup_on: 'hover',
        today_button: false,
        infinite_padding: false,
        scroll_to: project.starts_on,
        container_height: Math.min(640, 80 + 34 * (project.tasks.length + project.milestones.length)),
        bar_height: 20,
        padding: 14,
      })
      element.querySelector('svg')?.setAttribute('aria-hidden', 'true')
      // The chart scrolls sideways: keyboard users reach it and scroll with the arrow keys.
      const scroller = element.querySelector('.gantt-container')
      scroller?.setAttribute('tabindex', '0')
      scroller?.setAttribute('role', 'region')
      scroller?.setAttribute('aria-label', 'Timeline (the table below lists the same tasks)')
    })
    return () => {
      cancelled = true
      element.replaceChildren()
    }
  }, [project])
  return <div ref={host} className={styles.gantt} data-testid="gantt" />
}
