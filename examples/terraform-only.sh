#!/usr/bin/env bash
# Plans or applies every synthesized stack with plain terraform, in manifest.json dependency
# order, for pipelines that cannot run Node. Needs bash, jq and terraform.
#
#   examples/terraform-only.sh plan|apply [cdktf.out]
#
# It runs the stacks in the same order as `npm run pipeline`, but stops at the first failure
# (npm run pipeline also runs the stacks that do not depend on the failed one). Extra plan
# arguments go through terraform's own variable: TF_CLI_ARGS_plan="-var-file=prod.tfvars".
set -euo pipefail

command=${1:-}
outdir=${2:-cdktf.out}
if [[ $command != plan && $command != apply ]]; then
  echo "usage: $0 plan|apply [outdir]" >&2
  exit 2
fi
manifest="$outdir/manifest.json"

# Stacks without dependencies first, then each after the deepest stack it reads from; ties by id.
mapfile -t stacks < <(jq -r '.stacks as $s | def depth($id): ([$s[$id].dependencies[] | depth(.)] | max // -1) + 1; $s | keys | sort_by(depth(.), .)[]' "$manifest")

for stack in "${stacks[@]}"; do
  dir="$outdir/$(jq -r --arg id "$stack" '.stacks[$id].workingDirectory' "$manifest")"
  echo "== $stack: $command in $dir" >&2
  terraform -chdir="$dir" init -input=false
  terraform -chdir="$dir" plan -input=false -out="$stack.tfplan"
  if [[ $command == apply ]]; then
    terraform -chdir="$dir" apply -input=false "$stack.tfplan"
  fi
done
