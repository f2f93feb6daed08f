import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '../../../..')
const testdata = join(import.meta.dirname, '../testdata')

/** Runs a root npm script as a user does, from `cwd` (relative paths are theirs); resolves on any exit. */
async function npmRun(script: string, args: string[], cwd = repo) {
  try {
    const r = await run('npm', ['--prefix', repo, 'run', '-s', script, '--', ...args], {
      cwd,
      timeout: 60_000,
    })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('CLIs', () => {
  it('schedule prints one JSON line per good file and names file and line of a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planning-cli-'))
    writeFileSync(
      join(dir, 'bad.sm'),
      'jobs (incl. supersource/sink ):  3\n- renewable : 1 R\nPRECEDENCE RELATIONS:\nx\n1 1 z\n',
    )
    const r = await npmRun(
      'schedule',
      ['--format', 'psplib', '--time-limit-ms', '300', join(testdata, 'j301_1.sm'), 'bad.sm'],
      dir,
    )
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const out = JSON.parse(lines[0]!)
    expect(out.instance).toBe('j301_1.sm')
    expect(out.makespan).toBe(43)
    expect(Object.keys(out.starts)).toHaveLength(32)
    expect(r.stderr).toMatch(/^bad\.sm:5: expected whole numbers, found "z"$/m)
    expect(r.code).toBe(1)
  }, 60_000)

  it('assign prints the objective and the 0-based agent of every job', async () => {
    const r = await npmRun('assign', [
      '--format',
      'orlib-gap',
      '--objective',
      'max',
      join(testdata, 'c0515_1.txt'),
    ])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout.trim())
    expect(out).toMatchObject({ instance: 'c0515_1', objective: 336 })
    expect(out.assignment).toHaveLength(15)
    expect(out.assignment.every((a: number) => a >= 0 && a < 5)).toBe(true)
  }, 60_000)
})
