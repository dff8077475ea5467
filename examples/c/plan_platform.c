/* Loads examples/platform and prints its rollout plan as JSON (run from the repository root). */
#include <stdio.h>

#include "aoa.h"

int main(void) {
    aoa_manifest *manifest = NULL;
    char *plan = NULL;
    aoa_status status = aoa_manifest_open("path", "examples/platform", NULL, &manifest);
    if (status == AOA_STATUS_OK) status = aoa_call(manifest, "plan", "{\"max_parallel\": 3}", &plan);
    if (status != AOA_STATUS_OK) {
        fprintf(stderr, "aoa error %d: %s\n", status, aoa_last_error());
    } else {
        printf("%s\n", plan);
    }
    aoa_string_free(plan);
    aoa_manifest_free(manifest);
    return status == AOA_STATUS_OK ? 0 : 1;
}
