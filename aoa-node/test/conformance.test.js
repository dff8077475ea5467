'use strict'
// The Node runner of the conformance suite: every vector through the typed camelCase method of `Manifest`
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

// Operations and arguments that have no typed method yet (until the bindings are generated from the core's
// operation list): their vectors go through the generic `call`.
const UNTYPED = new Set(['schema_check'])
const UNTYPED_ARGS = ['explain', 'encoding']

function invoke(manifest, operation, args, suffix) {
  if (UNTYPED.has(operation) || UNTYPED_ARGS.some((k) => k in args)) return manifest.call(operation, args)
  const options = Object.fromEntries(Object.entries(args).map(([k, v]) => [camel(k), v]))
  const method = manifest[camel(operation) + suffix]
  assert.equal(typeof method, 'function', `no method ${camel(operation) + suffix}`)
  return Object.keys(options).length ? method.call(manifest, options) : method.call(manifest)
}

function asError(err) {
  if (!(err instanceof aoa.AoaError)) throw err
  assert.ok(err instanceof aoa.ERROR_CLASSES[err.code], `${err.name} for code ${err.code}`)
  assert.ok(err instanceof Error)
  return { error: err.toJSON() }
}

async function run(vector, suffix) {
  try {
    const manifest = load(vector.manifest)
    return await invoke(manifest, vector.operation, vector.args, suffix)
  } catch (err) {
    return asError(err)
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
  // Two-manifest (`new`) and manifest-free operations are not bound in Node yet.
  const skip = 'new' in vector || !('manifest' in vector)
  test(vector.name, { skip }, async () => {
    check(vector.expected, await run(vector, ''))
    check(vector.expected, await run(vector, 'Async'))
  })
}
