// Parses each Mermaid file named on the command line with the mermaid package (the parser mermaid.live uses)
// and fails on the first that does not parse. mermaid registers DOMPurify hooks when it is imported, which need
// a DOM, so a jsdom window stands in for the browser (the flowchart parser itself needs none; the separate
// @mermaid-js/parser package has no flowchart grammar). Run by test.sh from the directory mermaid is installed in.
import { readFileSync } from 'node:fs'
import { JSDOM } from 'jsdom'

const { window } = new JSDOM('')
globalThis.window = window
globalThis.document = window.document
const { default: mermaid } = await import('mermaid')

let failed = 0
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8')
  try {
    const { diagramType } = await mermaid.parse(text)
    const nodes = text.split('\n').filter((l) => /^ {2}n\d+\["/.test(l)).length
    console.log(`${file}: parses (${diagramType}, ${nodes} nodes)`)
  } catch (e) {
    failed += 1
    console.error(`${file}: does not parse: ${String(e.message ?? e).split('\n').slice(0, 3).join(' | ')}`)
  }
}
process.exit(failed ? 1 : 0)
