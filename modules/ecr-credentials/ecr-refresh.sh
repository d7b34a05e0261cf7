#!/bin/sh
# Keeps the .dockerconfigjson secret Gitpod pushes to and pulls from ECR with valid: ECR login
# tokens expire after 12 hours. Runs as two steps of one pod (a CronJob, and a Job before Gitpod's
# first install), sharing an in-memory volume:
#
#   ecr-refresh.sh login   in an aws-cli image, with the pod's IAM role (IRSA): fetch a token
#   ecr-refresh.sh store   in an image with kubectl: write it into the secret, then restart the
#                          workloads that cannot see the new token otherwise
#
# Inputs (environment): AWS_REGION (login), REGISTRY_SERVER, SECRET_NAME, NAMESPACE,
# RESTART_WORKLOADS (store), TOKEN_FILE [/token/password]. The token is never printed.
#
# RESTART_WORKLOADS: space-separated kind/name of workloads in NAMESPACE that mount the secret with
# subPath (Gitpod 2022.11.3: image-builder-mk3, registry-facade, blobserve). A subPath mount never
# sees a secret's updates, so those pods would keep the expired token and fail about 12 hours after
# they started. The first run happens before Gitpod is installed: a workload that does not exist
# yet is skipped; any other failure (forbidden, API unreachable) fails the step.
set -eu

TOKEN_FILE=${TOKEN_FILE:-/token/password}

log() { printf 'ecr-refresh: %s\n' "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

login() {
  : "${AWS_REGION:?AWS_REGION is required}"
  umask 077
  aws ecr get-login-password --region "$AWS_REGION" >"$TOKEN_FILE" || fail "aws ecr get-login-password failed (is the service account's IAM role allowed ecr:GetAuthorizationToken?)"
  [ -s "$TOKEN_FILE" ] || fail "aws ecr get-login-password returned no token"
  log "fetched a token for $AWS_REGION"
}

store() {
  : "${REGISTRY_SERVER:?REGISTRY_SERVER is required}" "${SECRET_NAME:?SECRET_NAME is required}" "${NAMESPACE:?NAMESPACE is required}"
  : "${RESTART_WORKLOADS:?RESTART_WORKLOADS is required}"
  [ -s "$TOKEN_FILE" ] || fail "no token in $TOKEN_FILE: the login step did not run or failed"
  password=$(cat "$TOKEN_FILE")
  auth=$(printf 'AWS:%s' "$password" | base64 | tr -d '\n')
  config=$(printf '{"auths":{"%s":{"username":"AWS","password":"%s","auth":"%s"}}}' "$REGISTRY_SERVER" "$password" "$auth")
  patch_file=$(dirname "$TOKEN_FILE")/patch.json
  umask 077
  printf '{"data":{".dockerconfigjson":"%s"}}' "$(printf '%s' "$config" | base64 | tr -d '\n')" >"$patch_file"
  # A file, not an argument: the token stays out of the process list.
  kubectl patch secret "$SECRET_NAME" --namespace "$NAMESPACE" --request-timeout=60s --type merge --patch-file "$patch_file" >/dev/null ||
    fail "could not update secret $SECRET_NAME in $NAMESPACE (does the refresher's Role allow patch on it?)"
  rm -f "$patch_file"
  log "updated secret $SECRET_NAME for $REGISTRY_SERVER"
  restart_workloads
}

# `kubectl get --ignore-not-found` tells "does not exist" from every other failure by the API's
# status (404 NotFound), not by parsing messages: it exits 0 with no output for a missing object
# and non-zero for anything else (403 Forbidden, connection refused, timeout...).
restart_workloads() {
  failed=
  set -f
  # shellcheck disable=SC2086 # a list of kind/name words, split on purpose (globbing is off)
  set -- $RESTART_WORKLOADS
  set +f
  for workload; do
    if ! found=$(kubectl get "$workload" --namespace "$NAMESPACE" --request-timeout=60s --ignore-not-found --output name); then
      log "ERROR: could not look up $workload in $NAMESPACE (see kubectl's message above; does the refresher's Role allow get on it?)"
      failed="$failed $workload"
    elif [ -z "$found" ]; then
      log "$workload: not installed yet, nothing to restart"
    elif kubectl rollout restart "$workload" --namespace "$NAMESPACE" --request-timeout=60s >/dev/null; then
      log "$workload: restarted to pick up the new token"
    else
      log "ERROR: could not restart $workload in $NAMESPACE (see kubectl's message above; does the refresher's Role allow patch on it?)"
      failed="$failed $workload"
    fi
  done
  [ -z "$failed" ] || fail "the secret was updated, but these keep the old token until restarted:$failed"
}

case ${1:-} in
  login) login ;;
  store) store ;;
  *)
    echo "usage: $0 login|store" >&2
    exit 2
    ;;
esac
