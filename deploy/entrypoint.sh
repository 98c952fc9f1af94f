#!/bin/sh
# Container entry point.
#   serve          bring the database schema up to date, then serve (the default)
#   serve-only     serve without migrating (extra replicas during a rolling upgrade)
#   anything else  run that `caseroom` command, e.g. `migrate` or `demo`
# Options after serve / serve-only go to `caseroom serve`. exec hands the process
# over to the server, so the container's stop signal reaches it directly.
set -eu

command="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$command" in
  serve)
    caseroom migrate
    exec caseroom serve "$@"
    ;;
  serve-only)
    exec caseroom serve "$@"
    ;;
  *)
    exec caseroom "$command" "$@"
    ;;
esac
