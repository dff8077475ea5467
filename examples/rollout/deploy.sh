#!/bin/sh
# A stand-in deploy for the README's rollout walkthrough: `deploy.sh APP VERSION`.
# It fails for the app named in $AOA_DEMO_FAIL, to show --on-failure continue and --resume.
if [ "$1" = "${AOA_DEMO_FAIL:-}" ]; then
  echo "cannot reach the cluster for $1" >&2
  exit 1
fi
echo "deployed $1 ${2:-latest}"
