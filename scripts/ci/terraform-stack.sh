#!/usr/bin/env bash
# Plans (and with `apply`, applies) one synthesized stack against its real backend and account,
# with the credentials already in the environment (the plan or deploy role, assumed by OIDC).
# Writes a Markdown summary of the plan to SUMMARY_FILE and appends it to the job summary.
#
#   scripts/ci/terraform-stack.sh plan  xetl-dev-analytics plan-summary/xetl-dev-analytics.md
#   scripts/ci/terraform-stack.sh apply xetl-dev-analytics plan-summary/xetl-dev-analytics.md
#
# `apply` applies exactly the plan it just showed, and skips the apply when there is nothing to do.
set -euo pipefail

mode="${1:?usage: terraform-stack.sh plan|apply <stack> <summary-file>}"
stack="${2:?missing stack name}"
summary="${3:?missing summary file}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$repo/cdktf.out/stacks/$stack"
case "$mode" in plan|apply) ;; *) echo "terraform-stack: unknown mode '$mode' (plan or apply)" >&2; exit 2 ;; esac
case "$stack" in *[!a-z0-9-]*|"") echo "terraform-stack: bad stack name '$stack'" >&2; exit 2 ;; esac
[ -f "$dir/cdk.tf.json" ] || { echo "terraform-stack: $dir/cdk.tf.json not found; synthesize first (npx nx run infra:synth)" >&2; exit 2; }
mkdir -p "$(dirname "$summary")"
summary="$(cd "$(dirname "$summary")" && pwd)/$(basename "$summary")"

cd "$dir"
terraform init -input=false -no-color
set +e
terraform plan -input=false -no-color -lock-timeout=10m -detailed-exitcode -out=tfplan
code=$?
set -e
if [ "$code" -eq 1 ]; then
  printf '### %s\n\n:x: `terraform plan` failed; see the job log.\n' "$stack" > "$summary"
  cat "$summary" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
  exit 1
fi
terraform show -json tfplan > plan.json
node --import tsx "$repo/tools/ci/src/bin/plan-summary.ts" plan.json --stack "$stack" > "$summary"
cat "$summary" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
cat "$summary"

if [ "$mode" = apply ]; then
  if [ "$code" -eq 0 ]; then
    echo "terraform-stack: $stack has no changes; nothing to apply"
  else
    terraform apply -input=false -no-color -lock-timeout=10m tfplan
  fi
fi
