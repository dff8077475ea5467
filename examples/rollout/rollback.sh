#!/bin/sh
# A stand-in rollback for the README's walkthrough: `rollback.sh APP VERSION` (an empty VERSION: remove the app).
echo "rolled $1 back to ${2:-nothing}"
