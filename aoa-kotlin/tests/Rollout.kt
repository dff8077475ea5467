// Rollouts with Kotlin callbacks (the uniffi callback interface): every app of examples/platform deployed in
// dependency order from worker threads; a callback that throws (CallbackException or any other exception)
// fails only its app and its dependents are skipped; observe gates the apps; bad options throw AoaException.
// Usage (from the repository root, as ./test.sh does): java -Djna.library.path=... -cp ... RolloutKt
import aoa.AoaException
import aoa.CallbackException
import aoa.Manifest
import aoa.Observed
import aoa.RolloutCallbacks
import java.util.Collections
import kotlin.system.exitProcess

class Recorder(private val fail: String? = null, private val unexpected: Boolean = false) : RolloutCallbacks {
    val calls: MutableList<String> = Collections.synchronizedList(mutableListOf())
    val keys: MutableMap<String, String> = Collections.synchronizedMap(mutableMapOf())
    var events = 0

    override fun deploy(app: String, version: String?, attempt: UInt, runId: String, idempotencyKey: String) {
        calls.add(app)
        keys[app] = "$version $attempt $idempotencyKey"
        if (app == fail) {
            if (unexpected) throw IllegalStateException("vault is sealed") else throw CallbackException.Failed("vault is sealed")
        }
    }

    override fun observe(app: String): Observed = Observed(if (app == "data/kafka") "sideways" else "healthy", null)

    override fun rollback(app: String, toVersion: String?) {}

    override fun onEvent(eventJson: String) { events++ }
}

var failed = 0

fun verify(ok: Boolean, what: () -> String) {
    if (!ok) { failed++; System.err.println("FAIL " + what()) }
}

@Suppress("UNCHECKED_CAST")
fun outcomes(reportJson: String): Map<String, Map<String, Any?>> =
    ((Json.parse(reportJson) as Map<String, Any?>)["apps"] as List<Map<String, Any?>>).associateBy { it["app"] as String }

/** Every app that waits for `app`, directly or not (the `impacted` operation). */
@Suppress("UNCHECKED_CAST")
fun dependents(m: Manifest, app: String): List<String> {
    val plan = Json.parse(m.call("impacted", "{\"changed\": [\"$app\"]}")) as Map<String, Any?>
    return (plan["waves"] as List<Map<String, Any?>>).flatMap { (it["batches"] as List<List<String>>).flatten() }.filter { it != app }
}

fun checkOrder(m: Manifest, calls: List<String>) {
    for ((i, app) in calls.withIndex()) {
        for (later in dependents(m, app)) {
            val at = calls.indexOf(later)
            verify(at == -1 || at > i) { "$later deployed before $app" }
        }
    }
}

/** examples/platform has permission sections: who runs the rollout is checked first. */
const val ADMIN = "\"subject\": \"user:ann\", \"groups\": [\"group:platform-admins\"]"

fun main() {
    val m = Manifest.load("examples/platform")
    val all = Recorder()
    val report = outcomes(m.rollout(all, "{\"max_parallel\": 4, \"run_id\": \"r1\", $ADMIN}", false))
    verify(report.size == 30 && report.values.all { it["status"] == "succeeded" }) { "not every app succeeded: $report" }
    verify(all.calls.toSet().size == 30) { "${all.calls.size} deploys" }
    verify(all.keys["platform"] == "2026.11.1 1 r1/platform") { "context ${all.keys["platform"]}" }
    verify(all.events == 60) { "${all.events} events" }
    checkOrder(m, all.calls.toList())

    val cont = "{$ADMIN, \"on_failure\": \"continue\", \"retry\": {\"max_attempts\": 1}, \"health_poll_ms\": 1, \"health_timeout_ms\": 20}"
    val skipped = dependents(m, "platform/vault")
    for (unexpected in listOf(false, true)) {
        val rec = Recorder("platform/vault", unexpected)
        val out = outcomes(m.rollout(rec, cont, false))
        val vault = out.getValue("platform/vault")
        verify(vault["status"] == "failed") { "vault: $vault" }
        verify((vault["reason"] as String).contains("vault is sealed")) { "reason: ${vault["reason"]}" }
        verify(skipped.isNotEmpty() && skipped.all { out.getValue(it)["status"] == "skipped" }) { "dependents not skipped" }
        verify(skipped.none { it in rec.calls }) { "a dependent of a failed app was deployed" }
        verify("data/kafka" in rec.calls) { "an independent app was not deployed" }
        checkOrder(m, rec.calls.toList())
    }

    val gated = outcomes(m.rollout(Recorder(), cont, true))
    verify(gated.getValue("data/kafka")["status"] == "failed") { "kafka passed a sideways health" }
    verify((gated.getValue("data/kafka")["reason"] as String).contains("sideways")) { "kafka reason" }

    try {
        m.rollout(Recorder(), "{\"max_paralel\": 1}", false)
        verify(false) { "bad options were accepted" }
    } catch (e: AoaException.InvalidArgument) {
        verify(e.detail.contains("max_paralel")) { e.detail }
    }
    if (failed > 0) { System.err.println("$failed rollout verify(s) failed"); exitProcess(1) }
    println("kotlin rollout callbacks: all checks passed")
}
