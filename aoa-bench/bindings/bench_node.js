#!/usr/bin/env node
// aoa's Node binding against @dagrejs/graphlib with a Kahn layering, in one process, on records in memory.
//
// Usage: node bench_node.js FILE.json [runs]   (run where `require('@dagrejs/graphlib')` resolves, or set
//        NODE_PATH; AOA_NODE_PACKAGE points at the aoa package, default ../../aoa-node)
// aoa's figure is `Manifest.fromApps(records).plan()` end to end (it also validates every record, sorts each
// wave by name and finds the critical path); the peer's code is the one of ../shared/bench/bench_node.js.
'use strict'
const fs = require('fs')
const path = require('path')
const aoa = require(process.env.AOA_NODE_PACKAGE || path.join(__dirname, '..', '..', 'aoa-node'))

const now = () => Number(process.hrtime.bigint()) / 1e6
const [file, runsArg] = process.argv.slice(2)
const runs = Number(runsArg || 3)
const records = JSON.parse(fs.readFileSync(file, 'utf8')).apps
const preds = (rec) => (rec.parent == null ? rec.depends_on || [] : (rec.depends_on || []).concat([rec.parent]))

function runAoa() {
  const t0 = now()
  const m = aoa.Manifest.fromApps(records)
  const t1 = now()
  const plan = m.plan()
  const t2 = now()
  return { total: t2 - t0, fromApps: t1 - t0, plan: t2 - t1, waves: plan.waves.length }
}

function runDagre() {
  const { Graph } = require(require.resolve('@dagrejs/graphlib', { paths: [process.cwd()] }))
  const t0 = now()
  const g = new Graph()
  for (const rec of records) g.setNode(rec.name)
  for (const rec of records) for (const p of preds(rec)) g.setEdge(p, rec.name)
  const indeg = new Map()
  for (const v of g.nodes()) indeg.set(v, g.inEdges(v).length)
  let cur = g.sources()
  const waves = []
  while (cur.length) {
    waves.push(cur)
    const nxt = []
    for (const v of cur) for (const w of g.successors(v)) {
      const d = indeg.get(w) - 1; indeg.set(w, d); if (d === 0) nxt.push(w)
    }
    cur = nxt
  }
  return { total: now() - t0, waves: waves.length }
}

function median(fn) {
  const rs = Array.from({ length: runs }, fn)
  const out = {}
  for (const k of Object.keys(rs[0])) {
    const xs = rs.map((r) => r[k]).sort((a, b) => a - b)
    out[k] = xs[Math.floor(xs.length / 2)]
  }
  out.runs_ms = rs.map((r) => Math.round(r.total))
  return out
}

function overhead() {
  const m = aoa.Manifest.fromApps([{ name: 'a' }, { name: 'b', depends_on: ['a'] }])
  const out = {}
  for (const [label, fn, n] of [['length', () => m.length, 1e6], ['cycles', () => m.cycles(), 2e5], ['plan_2_apps', () => m.plan(), 1e5]]) {
    let best = Infinity
    for (let r = 0; r < 5; r++) {
      const t0 = now()
      for (let i = 0; i < n; i++) fn()
      best = Math.min(best, (now() - t0) / n)
    }
    out[label + '_us'] = Math.round(best * 1e6) / 1e3
  }
  return out
}

const out = { file: path.basename(file), n: records.length, node: process.version }
out.aoa = median(runAoa)
out.dagrejs = median(runDagre)
if (out.dagrejs.waves !== out.aoa.waves) throw new Error(`wave counts differ: ${out.dagrejs.waves} vs ${out.aoa.waves}`)
out.speedup_vs_dagrejs = Math.round((out.dagrejs.total / out.aoa.total) * 10) / 10
out.overhead = overhead()
console.log(JSON.stringify(out))
