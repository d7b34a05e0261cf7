#!/bin/sh
# Installs, upgrades and uninstalls Gitpod from inside the cluster, the way Gitpod's KOTS package
# did: it runs in Gitpod's installer image (installer, helm, kubectl, yq) as a Helm hook Job of the
# gitpod-cdktf release chart, so the machine running Terraform needs none of these tools.
#
#   gitpod-release.sh apply       post-install/post-upgrade hook: validate the config, wait for the
#                                 TLS secret, render with a stable seed, wrap the objects as a chart
#                                 and `helm upgrade --install --atomic` it.
#   gitpod-release.sh uninstall   pre-delete hook: `helm uninstall` the Gitpod release.
#
# Inputs (environment, set by the Job that gitpod-cdktf generates):
#   NAMESPACE               Gitpod's namespace (required)
#   RENDER_SEED             positive integer for `installer render --seed` (apply; required)
#   CONFIG_FILE             installer config      [/gitpod-release/gitpod.config.yaml]
#   RELEASE_NAME            Helm release of Gitpod's objects        [gitpod]
#   GITPOD_VERSION          shown as the chart's appVersion         [unknown]
#   TLS_SECRET              secret that must exist before install   [https-certificates]
#   TIMEOUT_SECONDS         limit for the TLS wait and for helm     [1800]
#   KEEP_VOLUMES            true: PVCs survive `helm uninstall`     [true]
#   USE_EXPERIMENTAL_CONFIG true: render --use-experimental-config  [false]
#   INSTALLER               installer binary                        [/app/installer]
#   WORK_DIR                scratch folder                          [/tmp/gitpod-release]
#   POLL_SECONDS            pause between TLS secret checks         [10]
set -eu

RELEASE_NAME=${RELEASE_NAME:-gitpod}
CONFIG_FILE=${CONFIG_FILE:-/gitpod-release/gitpod.config.yaml}
GITPOD_VERSION=${GITPOD_VERSION:-unknown}
TLS_SECRET=${TLS_SECRET:-https-certificates}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-1800}
KEEP_VOLUMES=${KEEP_VOLUMES:-true}
USE_EXPERIMENTAL_CONFIG=${USE_EXPERIMENTAL_CONFIG:-false}
INSTALLER=${INSTALLER:-/app/installer}
WORK_DIR=${WORK_DIR:-/tmp/gitpod-release}
POLL_SECONDS=${POLL_SECONDS:-10}

log() { printf 'gitpod-release: %s\n' "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

is_positive_integer() {
  case $1 in '' | *[!0-9]* | 0) return 1 ;; *) return 0 ;; esac
}

# Prints the release's status (deployed, failed, pending-upgrade...) and revision, or nothing.
release_status() { helm status "$RELEASE_NAME" --namespace "$NAMESPACE" 2>/dev/null | sed -n 's/^STATUS: //p'; }
release_revision() { helm status "$RELEASE_NAME" --namespace "$NAMESPACE" 2>/dev/null | sed -n 's/^REVISION: //p'; }

# An interrupted run (Job killed, node lost) leaves the release "pending-*" or "failed", which blocks
# every later upgrade. Like KOTS: undo a first install, roll back anything later.
recover_interrupted_release() {
  status=$(release_status)
  case $status in
    '' | deployed) return 0 ;;
  esac
  revision=$(release_revision)
  if [ "${revision:-1}" -le 1 ]; then
    log "release $RELEASE_NAME is '$status' at its first revision: uninstalling it before installing again"
    helm uninstall "$RELEASE_NAME" --namespace "$NAMESPACE" --wait || true
  else
    log "release $RELEASE_NAME is '$status' at revision $revision: rolling back before upgrading"
    helm rollback "$RELEASE_NAME" --namespace "$NAMESPACE" --wait || true
  fi
}

wait_for_tls_secret() {
  deadline=$(($(date +%s) + TIMEOUT_SECONDS))
  announced=false
  until kubectl get secret "$TLS_SECRET" --namespace "$NAMESPACE" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "TLS secret $TLS_SECRET did not appear in namespace $NAMESPACE within ${TIMEOUT_SECONDS}s; check its Certificate: kubectl describe certificate --namespace $NAMESPACE"
    fi
    if [ "$announced" = false ]; then
      log "waiting up to ${TIMEOUT_SECONDS}s for TLS secret $TLS_SECRET"
      announced=true
    fi
    sleep "$POLL_SECONDS"
  done
  log "TLS secret $TLS_SECRET is present"
}

# Renders Gitpod's objects into a throwaway chart. The objects are a chart *file* that the only
# template includes with .Files.Get: Helm does not template file contents, so "{{" in Gitpod's
# objects needs no escaping.
render_chart() {
  chart=$WORK_DIR/chart
  objects=$WORK_DIR/objects
  rm -rf "$WORK_DIR"
  mkdir -p "$chart/templates" "$objects"

  set -- render --config "$CONFIG_FILE" --namespace "$NAMESPACE" --seed "$RENDER_SEED" --output-split-files "$objects"
  if [ "$USE_EXPERIMENTAL_CONFIG" = true ]; then set -- "$@" --use-experimental-config; fi
  log "rendering Gitpod $GITPOD_VERSION for namespace $NAMESPACE"
  "$INSTALLER" "$@" || fail "installer render failed"

  count=0
  : >"$chart/gitpod.yaml"
  # render names files NNN_<Kind>_<name>.yaml in dependency order; the glob keeps that order.
  for file in "$objects"/*.yaml; do
    [ -e "$file" ] || fail "installer render produced no objects in $objects"
    case ${file##*/} in
      *_PersistentVolumeClaim_*)
        if [ "$KEEP_VOLUMES" = true ]; then
          # Volumes (the in-cluster registry's images) outlive an uninstall or a failed first install.
          yq e -i '.metadata.annotations."helm.sh/resource-policy" = "keep"' "$file" || fail "could not annotate $file"
        fi
        ;;
    esac
    printf -- '---\n' >>"$chart/gitpod.yaml"
    cat "$file" >>"$chart/gitpod.yaml"
    count=$((count + 1))
  done

  cat >"$chart/Chart.yaml" <<EOF
apiVersion: v2
name: gitpod
description: Gitpod objects rendered by the installer (generated by gitpod-cdktf)
type: application
version: 1.0.0
appVersion: "$GITPOD_VERSION"
EOF
  printf '%s\n' '{{ .Files.Get "gitpod.yaml" }}' >"$chart/templates/gitpod.yaml"
  log "rendered $count objects"
}

apply() {
  : "${NAMESPACE:?NAMESPACE is required}"
  is_positive_integer "${RENDER_SEED:-}" || fail "RENDER_SEED must be a positive integer (it keeps generated credentials stable across renders)"
  [ -r "$CONFIG_FILE" ] || fail "config file $CONFIG_FILE is not readable"

  log "validating $CONFIG_FILE"
  "$INSTALLER" validate config --config "$CONFIG_FILE" || fail "the installer rejected the configuration (details above)"
  wait_for_tls_secret
  render_chart
  recover_interrupted_release

  log "installing release $RELEASE_NAME (timeout ${TIMEOUT_SECONDS}s)"
  helm upgrade "$RELEASE_NAME" "$WORK_DIR/chart" \
    --install \
    --atomic \
    --cleanup-on-fail \
    --wait \
    --timeout "${TIMEOUT_SECONDS}s" \
    --namespace "$NAMESPACE" || fail "helm upgrade failed and was rolled back (details above)"
  log "release $RELEASE_NAME is deployed"
}

uninstall() {
  : "${NAMESPACE:?NAMESPACE is required}"
  if [ -z "$(release_status)" ]; then
    log "release $RELEASE_NAME is not installed in $NAMESPACE: nothing to uninstall"
    return 0
  fi
  log "uninstalling release $RELEASE_NAME"
  helm uninstall "$RELEASE_NAME" --namespace "$NAMESPACE" --wait --timeout "${TIMEOUT_SECONDS}s" || fail "helm uninstall failed (details above)"
  log "release $RELEASE_NAME is uninstalled"
}

case ${1:-} in
  apply) apply ;;
  uninstall) uninstall ;;
  *)
    echo "usage: $0 apply|uninstall" >&2
    exit 2
    ;;
esac
