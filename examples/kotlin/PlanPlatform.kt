// Loads examples/platform, prints its rollout plan and one permission decision (JSON), then shows an error class.
// Run from the repository root (see aoa-kotlin/README.md for the build).
import aoa.AoaException
import aoa.Manifest

fun main() {
    Manifest.load("examples/platform").use { manifest ->
        println(manifest.call("plan", """{"max_parallel": 3}"""))
        println(manifest.call("check", """{"subject": "group:web-devs", "action": "deploy", "app": "web/storefront"}"""))
        try {
            manifest.call("identity", """{"app": "web/storefrnt"}""")
        } catch (e: AoaException.UnknownApp) { // one class per error code, each with code, detail, diagnosticsJson
            println("${e.code}: ${e.detail}") // unknown-app: unknown app `web/storefrnt`; did you mean `web/storefront`?
        }
    }
}
