/* Rollouts with C callbacks (aoa_rollout): every app of examples/platform deployed in dependency order from
 * worker threads; a failing deploy (with and without a message) fails only its app and its dependents are
 * skipped; observe gates the apps; events reach on_event; bad arguments are statuses. Run from the repository
 * root under valgrind by ./test.sh. Exit status 0 when every check passes. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aoa.h"

static int failures = 0;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (!(cond)) {                                           \
            failures++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
        }                                                        \
    } while (0)

#define APPS 64
/* examples/platform has permission sections: who runs the rollout is checked first. */
#define ADMIN "\"subject\": \"user:ann\", \"groups\": [\"group:platform-admins\"]"

/* What the callbacks share (user_data): the deploy order, guarded by a mutex since workers run at once. */
typedef struct {
    pthread_mutex_t lock;
    char *calls[APPS];
    int count;
    const char *fail;      /* the app whose deploy fails */
    int fail_with_message; /* whether it sets a message */
    int observed, events;
} recorder;

static int32_t deploy(void *user_data, const aoa_deploy_request *r, aoa_reply *reply) {
    recorder *rec = user_data;
    pthread_mutex_lock(&rec->lock);
    if (rec->count < APPS) rec->calls[rec->count++] = strdup(r->app);
    pthread_mutex_unlock(&rec->lock);
    CHECK(r->attempt == 1 && r->run_id && r->idempotency_key, "bad request for %s", r->app);
    if (rec->fail && strcmp(r->app, rec->fail) == 0) {
        if (rec->fail_with_message) aoa_reply_set(reply, "vault is sealed");
        return 7;
    }
    return 0;
}

static int32_t observe(void *user_data, const char *app, aoa_reply *reply) {
    recorder *rec = user_data;
    pthread_mutex_lock(&rec->lock);
    rec->observed++;
    pthread_mutex_unlock(&rec->lock);
    aoa_reply_set(reply, "1.0");
    return strcmp(app, "data/kafka") == 0 ? 42 : AOA_HEALTH_HEALTHY;
}

static void on_event(void *user_data, const char *event_json) {
    recorder *rec = user_data; /* called on the thread that called aoa_rollout: no lock needed */
    cJSON *e = cJSON_Parse(event_json);
    CHECK(e && cJSON_GetObjectItem(e, "step"), "bad event %s", event_json);
    rec->events++;
    cJSON_Delete(e);
}

static int index_of(const recorder *rec, const char *app) {
    for (int i = 0; i < rec->count; i++)
        if (strcmp(rec->calls[i], app) == 0) return i;
    return -1;
}

/* Every app that waits for a deployed app was deployed after it (checked with the `impacted` operation). */
static void check_order(aoa_manifest *m, const recorder *rec) {
    for (int i = 0; i < rec->count; i++) {
        char args[256], *out = NULL;
        snprintf(args, sizeof args, "{\"changed\": [\"%s\"]}", rec->calls[i]);
        CHECK(aoa_call(m, "impacted", args, &out) == AOA_STATUS_OK, "impacted %s", rec->calls[i]);
        cJSON *plan = cJSON_Parse(out), *wave, *batch, *app;
        cJSON_ArrayForEach(wave, cJSON_GetObjectItem(plan, "waves")) {
            cJSON_ArrayForEach(batch, cJSON_GetObjectItem(wave, "batches")) {
                cJSON_ArrayForEach(app, batch) {
                    int at = index_of(rec, app->valuestring);
                    CHECK(at == -1 || at >= i, "%s deployed before %s", app->valuestring, rec->calls[i]);
                }
            }
        }
        cJSON_Delete(plan);
        aoa_string_free(out);
    }
}

/* The report's entry for `app`. */
static cJSON *outcome(cJSON *report, const char *app) {
    cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(report, "apps")) {
        if (strcmp(cJSON_GetObjectItem(a, "app")->valuestring, app) == 0) return a;
    }
    return NULL;
}

static cJSON *run(aoa_manifest *m, recorder *rec, const aoa_callbacks *cb, const char *options) {
    char *out = NULL;
    int32_t status = aoa_rollout(m, cb, options, &out);
    CHECK(status == AOA_STATUS_OK, "aoa_rollout: %d %s", status, aoa_last_error());
    cJSON *report = cJSON_Parse(out);
    aoa_string_free(out);
    check_order(m, rec);
    return report;
}

static void forget(recorder *rec) {
    for (int i = 0; i < rec->count; i++) free(rec->calls[i]);
    rec->count = rec->observed = rec->events = 0;
}

int main(void) {
    aoa_manifest *m = NULL;
    if (aoa_manifest_open("path", "examples/platform", NULL, &m) != AOA_STATUS_OK) {
        fprintf(stderr, "cannot open examples/platform: %s\n", aoa_last_error());
        return 1;
    }
    recorder rec = {.count = 0};
    pthread_mutex_init(&rec.lock, NULL);
    aoa_callbacks cb = {.user_data = &rec, .deploy = deploy, .on_event = on_event};

    cJSON *report = run(m, &rec, &cb, "{\"max_parallel\": 4, \"run_id\": \"r1\", " ADMIN "}");
    CHECK(rec.count == 30, "%d deploys", rec.count);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(report, "counts"), "succeeded")->valueint == 30, "succeeded");
    CHECK(strcmp(cJSON_GetObjectItem(report, "run_id")->valuestring, "r1") == 0, "run id");
    CHECK(rec.events == 60, "%d events", rec.events);
    cJSON_Delete(report);

    const char *cont = "{" ADMIN ", \"on_failure\": \"continue\", \"retry\": {\"max_attempts\": 1}, \"health_poll_ms\": 1, "
                       "\"health_timeout_ms\": 20}";
    for (int with_message = 0; with_message < 2; with_message++) {
        forget(&rec);
        rec.fail = "platform/vault";
        rec.fail_with_message = with_message;
        report = run(m, &rec, &cb, cont);
        cJSON *vault = outcome(report, "platform/vault"), *auth = outcome(report, "identity/auth");
        CHECK(strcmp(cJSON_GetObjectItem(vault, "status")->valuestring, "failed") == 0, "vault failed");
        const char *reason = cJSON_GetObjectItem(vault, "reason")->valuestring;
        CHECK(strcmp(reason, with_message ? "vault is sealed" : "the deploy callback returned 7") == 0, "%s", reason);
        CHECK(strcmp(cJSON_GetObjectItem(auth, "status")->valuestring, "skipped") == 0, "auth skipped");
        CHECK(index_of(&rec, "identity/auth") == -1, "a dependent of a failed app was deployed");
        CHECK(index_of(&rec, "data/kafka") >= 0, "an independent app was not deployed");
        cJSON_Delete(report);
    }

    forget(&rec);
    rec.fail = NULL;
    cb.observe = observe;
    report = run(m, &rec, &cb, cont);
    cJSON *kafka = outcome(report, "data/kafka");
    CHECK(strcmp(cJSON_GetObjectItem(kafka, "status")->valuestring, "failed") == 0, "kafka failed its gate");
    CHECK(strstr(cJSON_GetObjectItem(kafka, "reason")->valuestring, "health 42") != NULL, "kafka reason");
    CHECK(rec.observed >= rec.count && rec.count > 20, "%d observations of %d apps", rec.observed, rec.count);
    cJSON_Delete(report);

    char *out = NULL;
    cb.deploy = NULL;
    CHECK(aoa_rollout(m, &cb, NULL, &out) == AOA_STATUS_INVALID_ARGUMENT && out == NULL, "NULL deploy");
    cb.deploy = deploy;
    CHECK(aoa_rollout(m, &cb, "{\"max_paralel\": 1}", &out) == AOA_STATUS_INVALID_ARGUMENT, "bad options");
    CHECK(strstr(aoa_last_error(), "max_paralel") != NULL, "%s", aoa_last_error());
    CHECK(aoa_rollout(NULL, &cb, NULL, &out) == AOA_STATUS_INVALID_ARGUMENT, "NULL manifest");
    CHECK(aoa_rollout(m, &cb, "{\"subject\": \"user:bob\"}", &out) == AOA_STATUS_DENIED, "a denied subject");
    aoa_reply_set(NULL, "ignored");

    forget(&rec);
    pthread_mutex_destroy(&rec.lock);
    aoa_manifest_free(m);
    if (failures) {
        fprintf(stderr, "%d rollout check(s) failed\n", failures);
        return 1;
    }
    printf("rollout callbacks: all checks passed\n");
    return 0;
}
