declare module 'frappe-gantt' {
  export interface GanttTask {
    id: string
    name: string
    start: string
    end: string
    progress?: number
    dependencies?: string | string[]
    custom_class?: string
  }
  export default class Gantt {
    constructor(element: HTMLElement | string, tasks: GanttTask[], options?: Record<string, unknown>)
  }
}
