'use strict'
// Rolls out a manifest with no-op JavaScript callbacks (plain and async) and prints the time per app as JSON.
// Usage: node bench/rollout_noop.js MANIFEST [RUNS]   (run by bench/rollout.sh)

const aoa = require(process.env.AOA_NODE_PACKAGE || '../aoa-node')

async function main() {
  const [file, runs = '3'] = process.argv.slice(2)
  const manifest = aoa.load(file)
  for (const [binding, deploy] of [['node', () => {}], ['node-async', async () => {}]]) {
    let best = Infinity
    for (let i = 0; i < Number(runs); i++) {
      const start = process.hrtime.bigint()
      const report = await manifest.rollout({ deploy })
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9)
      if (report.counts.succeeded !== manifest.length) throw new Error(JSON.stringify(report.counts))
    }
    const perApp = (best * 1e6) / manifest.length
    console.log(JSON.stringify({ binding, apps: manifest.length, seconds: +best.toFixed(3), us_per_app: +perApp.toFixed(2) }))
  }
}

main().catch((e) => { console.error(e); process.exit(1) })
