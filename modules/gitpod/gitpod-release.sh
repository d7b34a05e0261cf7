#!/bin/sh
# Installs, upgrades and uninstalls Gitpod from inside the cluster, the way Gitpod's KOTS package
# did: it runs in Gitpod's installer image (Alpine: busybox ash, installer, helm, kubectl, jq, gpctl)
# as a Helm hook Job of the gitpod-cdktf release chart, so the machine running Terraform needs none
# of these tools. Facts it relies on: docs/gitpod-installer.md.
#
#   gitpod-release.sh apply       post-install/post-upgrade hook: validate the config, create the
#                                 SSH gateway host key if asked and missing, wait for the TLS secret,
#                                 build the custom CA bundle if asked, render with a stable seed, wrap
#                                 the objects as a chart, recover an interrupted release, stop running
#                                 workspaces (upgrade only) and `helm upgrade --install --atomic` it.
#   gitpod-release.sh uninstall   pre-delete hook: stop running workspaces, then `helm uninstall`.
#                                 Fails, and so stops the Terraform destroy, when it cannot tell
#                                 whether Gitpod is installed.
#
# Inputs (environment, set by the Job that gitpod-cdktf generates):
#   NAMESPACE               Gitpod's namespace (required; the Job itself runs in the installer's)
#   RENDER_SEED             positive integer for `installer render --seed` (apply; required)
#   CONFIG_FILE             installer config      [/gitpod-release/gitpod.config.yaml]
#   RELEASE_NAME            Helm release of Gitpod's objects        [gitpod]
#   GITPOD_VERSION          shown as the chart's appVersion         [unknown]
#   TLS_SECRET              secret that must exist before install   [https-certificates]
#   TIMEOUT_SECONDS         limit for the TLS wait and for each helm operation   [1800]
#   WORKSPACE_STOP_SECONDS  limit for stopping running workspaces   [900]
#   WATCHED_SECRETS         space-separated secrets Gitpod's pods read at start: workloads that
#                           read one get a checksum of its data, so a change rolls them  []
#   KEEP_VOLUMES            true: PVCs survive `helm uninstall`     [true]
#   USE_EXPERIMENTAL_CONFIG true: render --use-experimental-config  [false]
#   INSTALLER               installer binary                        [/app/installer]
#   GPCTL                   gpctl binary                            [/app/gpctl]
#   WORK_DIR                scratch folder                          [/tmp/gitpod-release]
#   POLL_SECONDS            pause between checks (TLS secret, workspaces)  [10]
#   SSH_GATEWAY_HOST_KEY_SECRET  secret holding the SSH gateway's host key (Gitpod's
#                           sshGatewayHostKey): created with a new RSA 4096 key under key host.key
#                           when it does not exist, never changed when it does  [unset: no step]
#   CUSTOM_CA_BUNDLE_SECRET secret (key ca.crt) for Gitpod's customCACert, written from
#                           CUSTOM_CA_BUNDLE_SOURCES whenever its content differs  [unset: no step]
#   CUSTOM_CA_BUNDLE_SOURCES  space-separated secrets, each with key ca.crt (PEM certificates),
#                           whose certificates make up the bundle, in this order (required with
#                           CUSTOM_CA_BUNDLE_SECRET; e.g. cert-manager's self-signed CA, then a
#                           corporate CA). Name the bundle in WATCHED_SECRETS too: a CA change then
#                           rolls the workloads that read it.
#
# Secrets this script creates, in Gitpod's namespace, labelled app.kubernetes.io/managed-by=gitpod-cdktf:
#   - The SSH gateway host key lives outside Helm and outside Terraform on purpose: it is Gitpod's
#     SSH identity, which every client remembers (known_hosts), so it must survive `helm uninstall`,
#     a reinstall and any Terraform replacement; a new key would make every client warn that the
#     host key changed. Nothing here ever deletes or rewrites it. Delete it by hand to get a new
#     key on the next apply; to bring your own, create the secret before the first apply (ws-proxy
#     reads every key of the secret as an SSH private key: more than one key is fine). The key is
#     made by Helm's genPrivateKey (Go's crypto: RSA 4096, PKCS#1 PEM, as KOTS made it), not by
#     ssh-keygen, which stops with "No user exists for uid" when run, as this Job is, under a uid
#     the image's /etc/passwd does not list. Its material is never printed.
#   - The CA bundle is derived data, made again from its sources on every apply.
set -eu

RELEASE_NAME=${RELEASE_NAME:-gitpod}
CONFIG_FILE=${CONFIG_FILE:-/gitpod-release/gitpod.config.yaml}
GITPOD_VERSION=${GITPOD_VERSION:-unknown}
TLS_SECRET=${TLS_SECRET:-https-certificates}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-1800}
WORKSPACE_STOP_SECONDS=${WORKSPACE_STOP_SECONDS:-900}
WATCHED_SECRETS=${WATCHED_SECRETS:-}
KEEP_VOLUMES=${KEEP_VOLUMES:-true}
USE_EXPERIMENTAL_CONFIG=${USE_EXPERIMENTAL_CONFIG:-false}
INSTALLER=${INSTALLER:-/app/installer}
GPCTL=${GPCTL:-/app/gpctl}
WORK_DIR=${WORK_DIR:-/tmp/gitpod-release}
POLL_SECONDS=${POLL_SECONDS:-10}
SSH_GATEWAY_HOST_KEY_SECRET=${SSH_GATEWAY_HOST_KEY_SECRET:-}
CUSTOM_CA_BUNDLE_SECRET=${CUSTOM_CA_BUNDLE_SECRET:-}
CUSTOM_CA_BUNDLE_SOURCES=${CUSTOM_CA_BUNDLE_SOURCES:-}

# Annotation on the pod template of every workload that reads a watched secret.
CHECKSUM_ANNOTATION=gitpod-cdktf/secrets-checksum
# Label of the secrets this script creates (MANAGED_BY_LABEL of modules/helm-chart/kubernetes-object.ts).
MANAGED_BY_KEY=app.kubernetes.io/managed-by
MANAGED_BY_VALUE=gitpod-cdktf

log() { printf 'gitpod-release: %s\n' "$*" >&2; }
fail() {
  log "ERROR: $*"
  exit 1
}

is_positive_integer() {
  case $1 in '' | *[!0-9]* | 0) return 1 ;; *) return 0 ;; esac
}

# The first line of a command's error output, to quote in our own messages.
first_error_line() { sed -n '/[^[:space:]]/{p;q;}' "$1"; }

# Sets RELEASE_STATE to the release's status (deployed, failed, pending-upgrade...) or "absent",
# and RELEASE_REVISION. `helm status` exits non-zero both for a release that does not exist and
# for a cluster it cannot reach or may not read: only Helm's "release: not found" means absent.
# Anything else stops the script, because acting on a guess would install over, or uninstall
# under, a running Gitpod.
read_release_state() {
  status_out=$WORK_DIR/helm-status.out
  status_err=$WORK_DIR/helm-status.err
  if helm status "$RELEASE_NAME" --namespace "$NAMESPACE" >"$status_out" 2>"$status_err"; then
    RELEASE_STATE=$(sed -n 's/^STATUS: //p' "$status_out")
    RELEASE_REVISION=$(sed -n 's/^REVISION: //p' "$status_out")
    if [ -z "$RELEASE_STATE" ] || ! is_positive_integer "$RELEASE_REVISION"; then
      fail "could not read the status of release $RELEASE_NAME from 'helm status': $(head -c 300 "$status_out")"
    fi
  elif grep -q 'Error: release: not found' "$status_err"; then
    RELEASE_STATE=absent
    RELEASE_REVISION=0
  else
    fail "cannot tell whether release $RELEASE_NAME is installed in $NAMESPACE, so nothing was changed: helm status said: $(first_error_line "$status_err")"
  fi
}

# An interrupted run (Job killed, node lost) leaves the release pending-*, and a failed --atomic
# run whose own clean-up failed leaves it failed; either blocks later upgrades. Like KOTS: undo a
# first install, roll back anything later. A deployed or absent release is left alone.
recover_interrupted_release() {
  case $RELEASE_STATE in
    absent | deployed) return 0 ;;
  esac
  if [ "$RELEASE_REVISION" -le 1 ] || [ "$RELEASE_STATE" = pending-install ] || [ "$RELEASE_STATE" = uninstalling ]; then
    log "release $RELEASE_NAME is '$RELEASE_STATE' at revision $RELEASE_REVISION (an interrupted install): uninstalling it before installing again"
    helm uninstall "$RELEASE_NAME" --namespace "$NAMESPACE" --wait --timeout "${TIMEOUT_SECONDS}s" ||
      fail "could not remove the interrupted install of $RELEASE_NAME (details above); run 'helm uninstall $RELEASE_NAME --namespace $NAMESPACE' and apply again"
  else
    log "release $RELEASE_NAME is '$RELEASE_STATE' at revision $RELEASE_REVISION (an interrupted upgrade): rolling back before upgrading"
    helm rollback "$RELEASE_NAME" --namespace "$NAMESPACE" --wait --timeout "${TIMEOUT_SECONDS}s" ||
      fail "could not roll back the interrupted upgrade of $RELEASE_NAME (details above); see 'helm history $RELEASE_NAME --namespace $NAMESPACE'"
  fi
  read_release_state
}

wait_for_tls_secret() {
  deadline=$(($(date +%s) + TIMEOUT_SECONDS))
  announced=false
  until kubectl get secret "$TLS_SECRET" --namespace "$NAMESPACE" >/dev/null 2>"$WORK_DIR/tls.err"; do
    if ! grep -q '(NotFound)' "$WORK_DIR/tls.err"; then
      fail "could not look for TLS secret $TLS_SECRET: $(first_error_line "$WORK_DIR/tls.err")"
    fi
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

# ws-proxy serves the SSH gateway only with a host key: every file of the secret mounted at
# /mnt/host-key that parses as an SSH private key. Creates the secret with one new key when it does
# not exist; an existing one is Gitpod's SSH identity and is left exactly as it is (see the header).
ensure_ssh_gateway_host_key() {
  [ -n "$SSH_GATEWAY_HOST_KEY_SECRET" ] || return 0
  secret=$SSH_GATEWAY_HOST_KEY_SECRET
  if kubectl get secret "$secret" --namespace "$NAMESPACE" -o name >/dev/null 2>"$WORK_DIR/host-key.err"; then
    log "SSH gateway host key secret $secret exists: left as it is"
    return 0
  fi
  if ! grep -q '(NotFound)' "$WORK_DIR/host-key.err"; then
    fail "could not look for SSH gateway host key secret $secret: $(first_error_line "$WORK_DIR/host-key.err")"
  fi

  # A one-template chart whose output is the Secret. The key exists only in files of this folder,
  # readable by this user alone, deleted once the secret is created (or creating it failed).
  keygen=$WORK_DIR/host-key
  rm -rf "$keygen"
  (umask 077 && mkdir -p "$keygen/templates") || fail "could not create $keygen"
  printf 'apiVersion: v2\nname: ssh-gateway-host-key\nversion: 1.0.0\n' >"$keygen/Chart.yaml"
  cat >"$keygen/templates/secret.yaml" <<EOF
{{- \$key := genPrivateKey "rsa" }}
{{- if not (hasPrefix "-----BEGIN RSA PRIVATE KEY-----" \$key) }}{{ fail "genPrivateKey returned no RSA private key" }}{{ end }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Values.name | quote }}
  labels:
    $MANAGED_BY_KEY: $MANAGED_BY_VALUE
type: Opaque
data:
  host.key: {{ b64enc \$key | quote }}
EOF
  log "creating SSH gateway host key secret $secret with a new RSA 4096 key"
  if ! (umask 077 && helm template ssh-gateway-host-key "$keygen" --set-string "name=$secret" >"$keygen/secret.yaml" 2>"$keygen/helm.err"); then
    reason=$(first_error_line "$keygen/helm.err")
    rm -rf "$keygen"
    fail "could not generate an SSH host key with helm template (genPrivateKey): $reason"
  fi
  # --validate=false: no need for the API's OpenAPI document to check an object made here (the API
  # server validates it anyway).
  if ! kubectl create --validate=false --filename "$keygen/secret.yaml" --namespace "$NAMESPACE" >/dev/null 2>"$WORK_DIR/host-key.err"; then
    rm -rf "$keygen"
    fail "could not create SSH gateway host key secret $secret: $(first_error_line "$WORK_DIR/host-key.err")"
  fi
  rm -rf "$keygen"
  log "created SSH gateway host key secret $secret; it stays, outside Helm, across upgrades and reinstalls"
}

# Gitpod's customCACert is one secret with one key, ca.crt: when TLS is self-signed (its CA made by
# cert-manager, at run time, into a secret) and the admin adds a CA of their own, that secret must
# hold both. Concatenates the sources' ca.crt in order, each ending in a newline, and writes the
# bundle secret only when its content differs. Runs after the TLS wait (the self-signed CA exists
# by then) and before render, whose watched-secret checksums then see the bundle as it is now.
build_custom_ca_bundle() {
  if [ -z "$CUSTOM_CA_BUNDLE_SECRET" ]; then
    [ -z "$CUSTOM_CA_BUNDLE_SOURCES" ] || fail "CUSTOM_CA_BUNDLE_SOURCES is set but CUSTOM_CA_BUNDLE_SECRET, the secret to write them to, is not"
    return 0
  fi
  bundle_secret=$CUSTOM_CA_BUNDLE_SECRET
  [ -n "$(printf '%s' "$CUSTOM_CA_BUNDLE_SOURCES" | tr -d ' \t\n')" ] || fail "CUSTOM_CA_BUNDLE_SOURCES names no secret for the CA bundle $bundle_secret"
  bundle=$WORK_DIR/ca-bundle.crt
  piece=$WORK_DIR/ca-source.crt
  : >"$bundle"
  for source in $CUSTOM_CA_BUNDLE_SOURCES; do
    [ "$source" != "$bundle_secret" ] || fail "the CA bundle $bundle_secret cannot be one of its own sources"
    encoded=$(kubectl get secret "$source" --namespace "$NAMESPACE" -o 'jsonpath={.data.ca\.crt}' 2>"$WORK_DIR/ca-source.err") ||
      fail "could not read secret $source, a source of the CA bundle $bundle_secret: $(first_error_line "$WORK_DIR/ca-source.err")"
    [ -n "$encoded" ] || fail "secret $source, a source of the CA bundle $bundle_secret, has no key ca.crt (or it is empty)"
    printf '%s' "$encoded" | base64 -d >"$piece" 2>/dev/null || fail "key ca.crt of secret $source is not valid base64"
    grep -q -- '-----BEGIN CERTIFICATE-----' "$piece" || fail "key ca.crt of secret $source, a source of the CA bundle $bundle_secret, holds no PEM certificate"
    cat "$piece" >>"$bundle"
    # A source without a final newline would run its last line into the next one's first.
    [ -z "$(tail -c 1 "$piece")" ] || printf '\n' >>"$bundle"
  done

  if encoded=$(kubectl get secret "$bundle_secret" --namespace "$NAMESPACE" -o 'jsonpath={.data.ca\.crt}' 2>"$WORK_DIR/ca-bundle.err"); then
    printf '%s' "$encoded" | base64 -d >"$WORK_DIR/ca-bundle.current" 2>/dev/null || : >"$WORK_DIR/ca-bundle.current"
    if cmp -s "$bundle" "$WORK_DIR/ca-bundle.current"; then
      log "CA bundle $bundle_secret is up to date"
      return 0
    fi
    action=update
  elif grep -q '(NotFound)' "$WORK_DIR/ca-bundle.err"; then
    action=create
  else
    fail "could not read the CA bundle secret $bundle_secret: $(first_error_line "$WORK_DIR/ca-bundle.err")"
  fi

  # The secret as kubectl builds it (it base64-encodes the data), labelled.
  desired=$WORK_DIR/ca-bundle.json
  { kubectl create secret generic "$bundle_secret" --namespace "$NAMESPACE" --from-file="ca.crt=$bundle" --dry-run=client -o json >"$WORK_DIR/ca-bundle.raw.json" &&
    jq --arg key "$MANAGED_BY_KEY" --arg value "$MANAGED_BY_VALUE" '.metadata.labels[$key] = $value' "$WORK_DIR/ca-bundle.raw.json" >"$desired"; } ||
    fail "could not build the CA bundle secret $bundle_secret"
  if [ "$action" = create ]; then
    kubectl create --validate=false --filename "$desired" >/dev/null 2>"$WORK_DIR/ca-bundle.err" ||
      fail "could not create the CA bundle secret $bundle_secret: $(first_error_line "$WORK_DIR/ca-bundle.err")"
  else
    jq '{metadata: {labels: .metadata.labels}, data: .data}' "$desired" >"$WORK_DIR/ca-bundle.patch.json" ||
      fail "could not build the CA bundle secret $bundle_secret"
    kubectl patch secret "$bundle_secret" --namespace "$NAMESPACE" --type merge --patch-file "$WORK_DIR/ca-bundle.patch.json" >/dev/null 2>"$WORK_DIR/ca-bundle.err" ||
      fail "could not update the CA bundle secret $bundle_secret: $(first_error_line "$WORK_DIR/ca-bundle.err")"
  fi
  log "CA bundle $bundle_secret ${action}d from: $CUSTOM_CA_BUNDLE_SOURCES"
}

# gpctl has no namespace flag and reads only the kubeconfig of its own --kubeconfig flag (default
# ~/.kube/config, which the Job does not have; it ignores KUBECONFIG): give it one whose current
# context points at Gitpod's namespace, as KOTS did. In the Job that context has no cluster, and
# client-go then takes the in-cluster credentials and the namespace of POD_NAMESPACE, else the
# pod's own (the installer's), never the context's: so gpctl also gets POD_NAMESPACE.
gpctl_kubeconfig() {
  config=$WORK_DIR/gpctl.kubeconfig
  if [ -n "${KUBECONFIG:-}" ] && [ -f "$KUBECONFIG" ]; then cp "$KUBECONFIG" "$config"; else : >"$config"; fi
  if [ -n "$(KUBECONFIG=$config kubectl config current-context 2>/dev/null)" ]; then
    KUBECONFIG=$config kubectl config set-context --current --namespace "$NAMESPACE" >/dev/null
  else
    KUBECONFIG=$config kubectl config set-context gitpod-release --namespace "$NAMESPACE" >/dev/null
    KUBECONFIG=$config kubectl config use-context gitpod-release >/dev/null
  fi
  printf '%s' "$config"
}

# gpctl KUBECONFIG ARGS...: gpctl in Gitpod's namespace, whether in the Job or outside the cluster.
gpctl() {
  gpctl_config=$1
  shift
  POD_NAMESPACE=$NAMESPACE "$GPCTL" --kubeconfig "$gpctl_config" "$@"
}

# Prints the instance IDs of the workspaces ws-manager knows (one a line); fails when gpctl does.
list_workspaces() {
  gpctl "$1" workspaces list -o json >"$WORK_DIR/gpctl.out" 2>"$WORK_DIR/gpctl.err" || return 1
  # gpctl prints null, not [], when there are none.
  jq -r 'select(. != null) | .[] | .Instance' "$WORK_DIR/gpctl.out" 2>>"$WORK_DIR/gpctl.err"
}

# Workspace pods carry a finalizer only ws-manager removes, after the workspace's last backup:
# upgrading or removing Gitpod under running workspaces loses their unsaved work. Ask ws-manager
# to stop each (as KOTS did), then wait, bounded, until none is left.
stop_running_workspaces() {
  config=$(gpctl_kubeconfig) || fail "could not write a kubeconfig for gpctl in $WORK_DIR"
  if ! instances=$(list_workspaces "$config"); then
    # ws-manager down means no workspace can be saved either way; refusing would leave a broken
    # Gitpod impossible to repair by applying again.
    log "WARNING: could not list workspaces ($(first_error_line "$WORK_DIR/gpctl.err")); continuing without stopping them"
    return 0
  fi
  if [ -z "$instances" ]; then
    log "no running workspaces"
    return 0
  fi
  log "stopping $(printf '%s\n' "$instances" | wc -l | tr -d ' ') running workspace(s) first (up to ${WORKSPACE_STOP_SECONDS}s)"
  deadline=$(($(date +%s) + WORKSPACE_STOP_SECONDS))
  for instance in $instances; do
    log "stopping workspace $instance"
    gpctl "$config" workspaces stop "$instance" >/dev/null 2>&1 || {
      log "retrying workspace $instance in ${POLL_SECONDS}s"
      sleep "$POLL_SECONDS"
      gpctl "$config" workspaces stop "$instance" >/dev/null 2>&1 || log "WARNING: ws-manager did not accept stopping workspace $instance"
    }
  done
  while instances=$(list_workspaces "$config") && [ -n "$instances" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "workspaces still running after ${WORKSPACE_STOP_SECONDS}s, so Gitpod was left as it is: $(printf '%s' "$instances" | tr '\n' ' '); stop them (Gitpod's dashboard, or gpctl workspaces stop) and apply again"
    fi
    sleep "$POLL_SECONDS"
  done
  log "all workspaces are stopped"
}

sha256() { sha256sum | cut -d ' ' -f 1; }

# Gitpod's components read credentials only when their pods start, and render output does not depend
# on secret data: without this a rotated secret would never reach running pods. Each workload whose
# pod template reads a watched secret (env, envFrom, volume, projected volume) gets one annotation,
# a checksum of exactly the watched secrets it reads, so a change rolls exactly those workloads.
annotate_secret_readers() {
  [ -n "$WATCHED_SECRETS" ] || return 0
  checksums=$WORK_DIR/secret-checksums
  : >"$checksums"
  for secret in $WATCHED_SECRETS; do
    # The data as the API returns it (keys sorted), read when the release is applied.
    data=$(kubectl get secret "$secret" --namespace "$NAMESPACE" -o 'jsonpath={.data}' 2>"$WORK_DIR/secret.err") ||
      fail "could not read secret $secret, which Gitpod's config refers to: $(first_error_line "$WORK_DIR/secret.err")"
    printf '%s %s\n' "$secret" "$(printf '%s' "$data" | sha256)" >>"$checksums"
  done
  readers=0
  for file in "$objects"/*_Deployment_*.yaml "$objects"/*_StatefulSet_*.yaml "$objects"/*_DaemonSet_*.yaml; do
    [ -e "$file" ] || continue
    refs=$(kubectl patch --local -f "$file" --type merge -p '{}' -o \
      'jsonpath={.spec.template..secretKeyRef.name} {.spec.template..secretRef.name} {.spec.template..secret.secretName} {.spec.template..sources[*].secret.name}') ||
      fail "could not read the pod template of ${file##*/}"
    sum=$(for ref in $refs; do awk -v name="$ref" '$1 == name' "$checksums"; done | sort -u)
    [ -n "$sum" ] || continue
    annotated=$WORK_DIR/annotated.yaml
    kubectl patch --local -f "$file" --type merge -o yaml \
      -p "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"$CHECKSUM_ANNOTATION\":\"$(printf '%s' "$sum" | sha256)\"}}}}}" >"$annotated" ||
      fail "could not annotate ${file##*/}"
    mv "$annotated" "$file"
    readers=$((readers + 1))
  done
  log "$readers workload(s) read the watched secrets and carry their checksum"
}

# Volumes (the in-cluster registry's images) outlive an uninstall or a failed first install.
keep_volumes() {
  [ "$KEEP_VOLUMES" = true ] || return 0
  for file in "$objects"/*_PersistentVolumeClaim_*.yaml; do
    [ -e "$file" ] || continue
    kubectl annotate --local --overwrite -f "$file" helm.sh/resource-policy=keep -o yaml >"$WORK_DIR/annotated.yaml" ||
      fail "could not annotate ${file##*/}"
    mv "$WORK_DIR/annotated.yaml" "$file"
  done
}

# Renders Gitpod's objects into a throwaway chart. The objects are a chart *file* that the only
# template includes with .Files.Get: Helm does not template file contents, so "{{" in Gitpod's
# objects needs no escaping.
render_chart() {
  chart=$WORK_DIR/chart
  objects=$WORK_DIR/objects
  mkdir -p "$chart/templates" "$objects"

  set -- render --config "$CONFIG_FILE" --namespace "$NAMESPACE" --seed "$RENDER_SEED" --output-split-files "$objects"
  if [ "$USE_EXPERIMENTAL_CONFIG" = true ]; then set -- "$@" --use-experimental-config; fi
  log "rendering Gitpod $GITPOD_VERSION for namespace $NAMESPACE"
  "$INSTALLER" "$@" || fail "installer render failed (details above)"
  set -- "$objects"/*.yaml
  [ -e "$1" ] || fail "installer render produced no objects in $objects"

  # Helm deletes the text "<no value>" from whatever a template outputs, included files too.
  if grep -l '<no value>' "$@" >"$WORK_DIR/no-value.txt"; then
    fail "the rendered objects contain the text '<no value>', which Helm would silently delete: $(tr '\n' ' ' <"$WORK_DIR/no-value.txt")"
  fi
  keep_volumes
  annotate_secret_readers

  # render names files NNN_<Kind>_<name>.yaml in dependency order; the glob keeps that order. Each
  # file ends WITHOUT a newline (and kubectl's rewrites end with one): a document separator on a
  # line of its own before and a newline after every file keeps objects from running together.
  count=0
  for file in "$objects"/*.yaml; do
    printf -- '---\n'
    cat "$file"
    printf '\n'
    count=$((count + 1))
  done >"$chart/gitpod.yaml"

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

# After a failed `helm upgrade`, says what state the release is really in: Helm's own message
# cannot tell a rolled-back upgrade from one that never reached the cluster.
report_failed_upgrade() {
  reason=$(grep '^Error:' "$WORK_DIR/helm-upgrade.err" | head -n 1)
  previous_state=$1
  previous_revision=$2
  if ! helm status "$RELEASE_NAME" --namespace "$NAMESPACE" >"$WORK_DIR/helm-status.out" 2>"$WORK_DIR/helm-status.err"; then
    if grep -q 'Error: release: not found' "$WORK_DIR/helm-status.err"; then
      fail "installing Gitpod failed and nothing of it is left installed (${reason:-no error message}); fix the cause and apply again"
    fi
    fail "helm upgrade failed (${reason:-no error message}), and the release's state is unknown: $(first_error_line "$WORK_DIR/helm-status.err")"
  fi
  state=$(sed -n 's/^STATUS: //p' "$WORK_DIR/helm-status.out")
  revision=$(sed -n 's/^REVISION: //p' "$WORK_DIR/helm-status.out")
  if [ "$state" = deployed ] && [ "$revision" != "$previous_revision" ]; then
    fail "upgrading Gitpod failed and Helm rolled it back: revision $revision is deployed and runs the previous version (${reason:-no error message})"
  elif [ "$state" = "$previous_state" ] && [ "$revision" = "$previous_revision" ]; then
    fail "helm upgrade failed before changing anything: the release is still '$state' at revision $revision (${reason:-no error message})"
  fi
  fail "upgrading Gitpod failed and left release $RELEASE_NAME '$state' at revision $revision (${reason:-no error message}); the next apply recovers it"
}

apply() {
  : "${NAMESPACE:?NAMESPACE is required}"
  is_positive_integer "${RENDER_SEED:-}" || fail "RENDER_SEED must be a positive integer (it keeps generated credentials stable across renders)"
  [ -r "$CONFIG_FILE" ] || fail "config file $CONFIG_FILE is not readable"
  rm -rf "$WORK_DIR"
  mkdir -p "$WORK_DIR"

  log "validating $CONFIG_FILE"
  "$INSTALLER" validate config --config "$CONFIG_FILE" || fail "the installer rejected the configuration (details above)"
  ensure_ssh_gateway_host_key
  wait_for_tls_secret
  # Before render_chart: its watched-secret checksums must see the bundle as written now.
  build_custom_ca_bundle
  render_chart
  read_release_state
  recover_interrupted_release
  if [ "$RELEASE_STATE" = deployed ]; then stop_running_workspaces; fi

  log "installing release $RELEASE_NAME (timeout ${TIMEOUT_SECONDS}s; currently: $RELEASE_STATE)"
  if ! helm upgrade "$RELEASE_NAME" "$WORK_DIR/chart" \
    --install \
    --atomic \
    --cleanup-on-fail \
    --wait \
    --timeout "${TIMEOUT_SECONDS}s" \
    --namespace "$NAMESPACE" 2>"$WORK_DIR/helm-upgrade.err"; then
    cat "$WORK_DIR/helm-upgrade.err" >&2
    report_failed_upgrade "$RELEASE_STATE" "$RELEASE_REVISION"
  fi
  log "release $RELEASE_NAME is deployed"
}

uninstall() {
  : "${NAMESPACE:?NAMESPACE is required}"
  rm -rf "$WORK_DIR"
  mkdir -p "$WORK_DIR"
  read_release_state
  if [ "$RELEASE_STATE" = absent ]; then
    log "release $RELEASE_NAME is not installed in $NAMESPACE: nothing to uninstall"
    return 0
  fi
  stop_running_workspaces
  log "uninstalling release $RELEASE_NAME ('$RELEASE_STATE' at revision $RELEASE_REVISION)"
  helm uninstall "$RELEASE_NAME" --namespace "$NAMESPACE" --wait --timeout "${TIMEOUT_SECONDS}s" || fail "helm uninstall failed (details above); Gitpod may be partly installed: see 'helm status $RELEASE_NAME --namespace $NAMESPACE'"
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
