#!/bin/sh
# Keeps the .dockerconfigjson secret Gitpod pushes to and pulls from ECR with valid: ECR login
# tokens expire after 12 hours. Runs as two steps of one pod (a CronJob, and a Job before Gitpod's
# first install), sharing an in-memory volume:
#
#   ecr-refresh.sh login   in an aws-cli image, with the pod's IAM role (IRSA): fetch a token
#   ecr-refresh.sh store   in an image with kubectl: write it into the secret
#
# Inputs (environment): AWS_REGION (login), REGISTRY_SERVER, SECRET_NAME, NAMESPACE (store),
# TOKEN_FILE [/token/password]. The token is never printed.
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
  [ -s "$TOKEN_FILE" ] || fail "no token in $TOKEN_FILE: the login step did not run or failed"
  password=$(cat "$TOKEN_FILE")
  auth=$(printf 'AWS:%s' "$password" | base64 | tr -d '\n')
  config=$(printf '{"auths":{"%s":{"username":"AWS","password":"%s","auth":"%s"}}}' "$REGISTRY_SERVER" "$password" "$auth")
  patch_file=$(dirname "$TOKEN_FILE")/patch.json
  umask 077
  printf '{"data":{".dockerconfigjson":"%s"}}' "$(printf '%s' "$config" | base64 | tr -d '\n')" >"$patch_file"
  # A file, not an argument: the token stays out of the process list.
  kubectl patch secret "$SECRET_NAME" --namespace "$NAMESPACE" --type merge --patch-file "$patch_file" >/dev/null ||
    fail "could not update secret $SECRET_NAME in $NAMESPACE (does the refresher's Role allow patch on it?)"
  rm -f "$patch_file"
  log "updated secret $SECRET_NAME for $REGISTRY_SERVER"
}

case ${1:-} in
  login) login ;;
  store) store ;;
  *)
    echo "usage: $0 login|store" >&2
    exit 2
    ;;
esac
