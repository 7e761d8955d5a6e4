#!/usr/bin/env bash
# End-to-end test of the shipped pre-commit hook with the real `pre-commit` tool
# (pip install pre-commit): a throwaway git repository uses this repository's hook at
# its current commit, a broken key policy is staged and the commit must be refused with
# the diagnostic; once fixed, the commit must go through. Another broken file that is
# not staged must not matter (the hook lints only the staged files).
#
# Usage: scripts/pre-commit-e2e.sh   (the hook is built from HEAD: commit your changes)
# The first run builds cmklint in release mode through `cargo install`, which takes a
# few minutes; PRE_COMMIT_HOME keeps that build between runs if you set it.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
command -v pre-commit >/dev/null || { echo "pre-commit is not installed (pip install pre-commit)" >&2; exit 2; }
rev=$(git -C "$repo_root" rev-parse HEAD)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$work/pre-commit-cache}"

project="$work/project"
mkdir -p "$project/keys/prod"
cd "$project"
git init -q
git config user.email "e2e@example.com"
git config user.name "cmklint e2e"
git config commit.gpgsign false

cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo_root
    rev: $rev
    hooks:
      - id: cmklint
YAML
git add .pre-commit-config.yaml
git commit -q --no-verify -m "pre-commit config"
pre-commit install >/dev/null

good_policy() {
cat <<'JSON'
{
    "Version": "2012-10-17",
    "Id": "key-consolepolicy-3",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::382716459021:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow Neo4j Aura to use the key",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::210987654321:root"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey"
            ],
            "Resource": "*"
        }
    ]
}
JSON
}

# The classic splice mistake: no comma between the existing statement and the pasted one.
good_policy | python3 -c 'import sys; t=sys.stdin.read(); i=t.index("        },\n        {"); sys.stdout.write(t[:i+9]+t[i+10:])' > keys/prod/key-policy.json
grep -q '^        }$' keys/prod/key-policy.json

# A broken file that is not staged must not block the commit later.
printf '{"Version": "2012-10-17", "Statement": [' > keys/prod/scratch.json

git add keys/prod/key-policy.json
echo "--- committing a key policy with a missing comma (must be refused)"
if git commit -m "add key policy" > "$work/out1.txt" 2>&1; then
    cat "$work/out1.txt"
    echo "FAIL: the commit of a broken key policy was accepted" >&2
    exit 1
fi
cat "$work/out1.txt"
grep -Eq 'keys/prod/key-policy\.json:[0-9]+:[0-9]+: error: .* \[[a-z-]+\]' "$work/out1.txt" \
    || { echo "FAIL: the refusal does not show the diagnostic" >&2; exit 1; }
if grep -q 'scratch.json' "$work/out1.txt"; then
    echo "FAIL: an unstaged file was linted" >&2
    exit 1
fi

echo "--- committing the fixed key policy (must be accepted)"
good_policy > keys/prod/key-policy.json
git add keys/prod/key-policy.json
git commit -m "add key policy" > "$work/out2.txt" 2>&1 || { cat "$work/out2.txt"; echo "FAIL: the fixed key policy was refused" >&2; exit 1; }
cat "$work/out2.txt"
git log --oneline | grep -q "add key policy"
echo "OK: pre-commit refused the broken key policy and accepted the fixed one"
