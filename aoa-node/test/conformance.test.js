'use strict'
// The Node runner of the conformance suite: every vector through the generated camelCase method of `Manifest`
// (options object with camelCase keys), and through its `...Async` twin.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const aoa = require('..')

const ROOT = path.resolve(__dirname, '..', '..')
const DIR = path.join(ROOT, 'tests', 'conformance', 'vectors')
const VECTORS = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

function load(source) {
  if ('text' in source) return aoa.Manifest.fromStr(source.text, source.format ?? 'yaml')
  if ('records' in source) return aoa.Manifest.fromApps(source.records)
  return aoa.load(source.path)
}

/** The vector's operation through the generated camelCase method (a module function without a manifest). */
function invoke(vector, suffix) {
  const options = Object.fromEntries(Object.entries(vector.args).map(([k, v]) => [camel(k), v]))
  const name = camel(vector.operation) + suffix
  const self = 'manifest' in vector ? load(vector.manifest) : aoa
  assert.equal(typeof self[name], 'function', `no function ${name}`)
  const args = 'new' in vector ? [load(vector.new)] : []
  if (Object.keys(options).length) args.push(options)
  return self[name](...args)
}

async function run(vector, suffix) {
  try {
    return await invoke(vector, suffix)
  } catch (err) {
    if (!(err instanceof aoa.AoaError)) throw err
    assert.equal(Object.getPrototypeOf(err), aoa.ERROR_CODES[err.code].prototype, `${err.name} for code ${err.code}`)
    return { error: err.toJSON() }
  }
}

/** The suite's comparison (see tests/conformance/README.md). */
function check(expected, actual) {
  if (!(expected && typeof expected === 'object' && 'error' in expected)) {
    assert.deepStrictEqual(actual, expected)
    return
  }
  const want = expected.error
  assert.ok(actual && actual.error, `expected an error, got ${JSON.stringify(actual)}`)
  const got = actual.error
  assert.equal(got.code, want.code)
  if ('message' in want) assert.equal(got.message, want.message)
  if (!('diagnostics' in want)) return
  assert.equal(got.diagnostics.length, want.diagnostics.length)
  want.diagnostics.forEach((w, i) => {
    for (const [k, v] of Object.entries(w)) assert.deepStrictEqual(got.diagnostics[i][k], v, `diagnostic ${i} ${k}`)
  })
}

process.chdir(ROOT)
test('there are vectors', () => assert.ok(VECTORS.length >= 30))
for (const file of VECTORS) {
  const vector = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'))
  test(vector.name, async () => {
    check(vector.expected, await run(vector, ''))
    check(vector.expected, await run(vector, 'Async'))
  })
}

// The store vectors: each step through the generated camelCase method of `Store` on a fresh SQLite store.
const os = require('node:os')
const STORE_DIR = path.join(ROOT, 'tests', 'conformance', 'store')
const STORE_VECTORS = fs.readdirSync(STORE_DIR).filter((f) => f.endsWith('.json')).sort()
test('there are store vectors', () => assert.ok(STORE_VECTORS.length >= 4))
for (const file of STORE_VECTORS) {
  const vector = JSON.parse(fs.readFileSync(path.join(STORE_DIR, file), 'utf8'))
  test(`store: ${vector.name}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aoa-store-'))
    const store = aoa.Store.open(`sqlite:${path.join(dir, 'state.db')}`, { registry: 'conformance', actor: 'conformance', nowMs: 1800000000000 })
    vector.steps.forEach((step, i) => {
      const options = Object.fromEntries(Object.entries(step.args ?? {}).map(([k, v]) => [camel(k), v]))
      const op = aoa.storeOperations().find((o) => o.name === step.operation)
      let actual
      try {
        if (!op) actual = store.call(step.operation, undefined, step.args)
        else {
          const args = op.manifest ? ['manifest' in step ? load(step.manifest) : undefined] : []
          if (Object.keys(options).length) args.push(options)
          actual = store[camel(step.operation)](...args)
        }
      } catch (err) {
        if (!(err instanceof aoa.AoaError)) throw err
        actual = { error: err.toJSON() }
      }
      check(step.expected, JSON.parse(JSON.stringify(actual)), `step ${i}`)
    })
    fs.rmSync(dir, { recursive: true, force: true })
  })
}
