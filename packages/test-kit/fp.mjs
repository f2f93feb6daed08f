import { FaultProxy } from '/work/wt/faults/packages/test-kit/dist/fault-proxy.js'
import { wholeFailureSocket } from '/work/wt/faults/packages/db/dist/index.js'
import postgres from 'postgres'
const p = await FaultProxy.start({ host: '127.0.0.1', port: 5432 })
const useWrap = process.argv[2] === 'wrap'
const sql = postgres(p.url('postgres://postgres@127.0.0.1:5432/postgres'), { max: 4, connect_timeout: 2, ...(useWrap ? { socket: wholeFailureSocket } : {}) })
const t=performance.now()
const log = (...a) => console.log(Math.round(performance.now()-t), ...a)
let stop = false; const codes = {}
const since = [0,0,0]
const loop = async (i) => { while (!stop) { since[i] = performance.now(); const c = await sql`select 1`.then(()=> 'ok', e => e.code); since[i] = 0; codes[c] = (codes[c]??0)+1; await new Promise(r=>setTimeout(r,50)) } }
const loops = [loop(0), loop(1), loop(2)]
await new Promise(r=>setTimeout(r,500))
p.stop(process.argv[3] ?? 'close'); log('stopped')
await new Promise(r=>setTimeout(r,3000))
p.resume(); log('resumed', codes)
for (const k in codes) delete codes[k]
await new Promise(r=>setTimeout(r,Number(process.argv[4] ?? 5000)))
log('after 5 s', codes, p.counts, since.map(x => x ? Math.round(performance.now()-x) : 0))
stop = true
setTimeout(()=>{log('loops hung'); process.exit(1)}, 3000)
await Promise.all(loops)
await sql.end({timeout:1}); await p.close()
