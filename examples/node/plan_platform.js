#!/usr/bin/env node
// Loads examples/platform and prints its rollout plan, then what a change to platform/vault impacts.
'use strict'

const path = require('node:path')
const aoa = require(process.env.AOA_NODE_PACKAGE || path.join(__dirname, '..', '..', 'aoa-node'))

async function main() {
  const manifest = await aoa.Manifest.loadAsync(path.join(__dirname, '..', 'platform'))
  const plan = await manifest.planAsync({ maxParallel: 3 })
  console.log(`${plan.app_count} apps in ${plan.waves.length} waves`)
  for (const wave of plan.waves) {
    wave.batches.forEach((batch, n) => console.log(`wave ${wave.index} batch ${n + 1}: ${batch.join(', ')}`))
  }
  console.log('critical path:', plan.critical_path.join(' -> '))
  const impacted = manifest.impacted({ changed: ['platform/vault'] })
  console.log('a change to platform/vault redeploys:', impacted.waves.flatMap((w) => w.batches.flat()).join(', '))
}

main().catch((err) => {
  if (err instanceof aoa.AoaError) {
    for (const d of err.diagnostics) console.error(`error: ${d.message}${d.hint ? `; hint: ${d.hint}` : ''}`)
  } else {
    console.error(err)
  }
  process.exit(1)
})
