#!/usr/bin/env bash
# End-to-end test of cmklint's pre-commit hook with the real `pre-commit` tool (PyPI).
#
# Makes a throwaway git repository whose .pre-commit-config.yaml points at THIS checkout
# (`repo:` = its path, `rev:` = its HEAD commit, so run this on a committed tree:
# uncommitted changes are not part of what is tested), installs the hook, then shows:
#   1. staging a key policy with a splice mistake makes `git commit` fail, and the output
#      carries the diagnostic (`path:line:col: error: ... [splice-missing-comma]`);
#   2. only staged files are linted: a broken file in the work tree that is not staged
#      is not reported;
#   3. the linter still sees the staged file's unit (DESIGN §4): the other, committed
#      files of its folder are read as context although pre-commit passes only the
#      staged file;
#   4. after `cmklint check --fix` (the binary pre-commit built) and `git add`, the
#      commit is accepted.
# Prints one PASS/FAIL line per check and exits non-zero if any failed.
#
# pre-commit's `rust` language runs `cargo install --path .` on this repository the first
# time (minutes on 2 cores; the time is printed). Set PRE_COMMIT_HOME to reuse an earlier
# install; by default a fresh one in the temporary folder is used. KEEP_TMP=1 keeps the
# temporary folder for a look afterwards.
set -uo pipefail

PRE_COMMIT_VERSION=4.7.0
REPO=$(cd "$(dirname "$0")/.." && pwd)
failures=0
pass() { echo "PASS: $*"; }
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
die() {
    echo "FAIL: $*"
    exit 1
}

REV=$(git -C "$REPO" rev-parse HEAD 2>/dev/null) || die "$REPO is not a git checkout"
git -C "$REPO" cat-file -e "$REV:.pre-commit-hooks.yaml" 2>/dev/null ||
    die ".pre-commit-hooks.yaml is not in commit $REV of $REPO"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]; then
    echo "note: $REPO has uncommitted changes; the hook is built from commit $REV without them"
fi

if ! python3 -m pre_commit --version >/dev/null 2>&1; then
    echo "installing pre-commit==$PRE_COMMIT_VERSION from PyPI"
    python3 -m pip install --quiet "pre-commit==$PRE_COMMIT_VERSION" ||
        die "could not install pre-commit"
fi
echo "using $(python3 -m pre_commit --version) with hook repository $REPO at $REV"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmklint-pre-commit.XXXXXX")
cleanup() {
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
export PRE_COMMIT_HOME=${PRE_COMMIT_HOME:-$WORK/pre-commit-home}

mkdir -p "$WORK/repo"
cd "$WORK/repo" || die "cannot enter $WORK/repo"
git init -q -b main .
git config user.email "test@example.invalid"
git config user.name "cmklint pre-commit test"
git config commit.gpgsign false

cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $REPO
    rev: $REV
    hooks:
      - id: cmklint
EOF

python3 -m pre_commit install >/dev/null || die "pre-commit install failed"
started=$(date +%s)
if python3 -m pre_commit install-hooks >"$WORK/install.log" 2>&1; then
    pass "hook environment built (cargo install of the hook repository) in $(($(date +%s) - started)) s"
else
    cat "$WORK/install.log"
    die "pre-commit install-hooks failed after $(($(date +%s) - started)) s"
fi
CMKLINT=$(find "$PRE_COMMIT_HOME" -path '*/bin/cmklint' -type f | head -n 1)
[ -x "$CMKLINT" ] || die "no cmklint binary under $PRE_COMMIT_HOME"

git add .pre-commit-config.yaml
git commit -q -m "Add pre-commit config" || die "the first commit (no JSON files) was refused"

# --- The unit: one Aura instance's folder, with context committed first. -------------
mkdir -p aura-prod scratch
cat >aura-prod/describe-key.json <<'EOF'
{
    "KeyMetadata": {
        "AWSAccountId": "210987654321",
        "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "Arn": "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "CreationDate": "2025-03-04T10:15:30.123000+00:00",
        "Enabled": true,
        "Description": "Aura CMK for prod",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": [
            "SYMMETRIC_DEFAULT"
        ],
        "MultiRegion": false
    }
}
EOF
git add aura-prod/describe-key.json
if out=$(git commit -m "Add key metadata" 2>&1); then
    pass "a clean file is accepted"
else
    echo "$out"
    fail "a clean file was refused"
fi

# The key policy with the Aura Console's statement pasted after the last `}` without the
# comma the Aura docs ask for: splice-missing-comma.
cat >aura-prod/key-policy.json <<'EOF'
{
    "Version": "2012-10-17",
    "Id": "key-consolepolicy-3",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::210987654321:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        }
        {
            "Sid": "Allow access for Neo4j",
            "Effect": "Allow",
            "Principal": {
                "AWS": "*"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
                "kms:CreateGrant",
                "kms:ListGrants",
                "kms:RevokeGrant"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": "210987654321"
                }
            }
        }
    ]
}
EOF
# A broken file that is NOT staged: the hook must not lint it.
cat >scratch/unstaged-policy.json <<'EOF'
{
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "a", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "kms:*", "Resource": "*"},
    ]
}
EOF

git add aura-prod/key-policy.json
head_before=$(git rev-parse HEAD)
out=$(git commit -m "Grant Aura access to the key" 2>&1)
rc=$?
echo "--- git commit output (broken policy staged) ---"
echo "$out"
echo "---"
if [ $rc -ne 0 ] && [ "$(git rev-parse HEAD)" = "$head_before" ]; then
    pass "commit with a broken key policy is refused (git commit exit $rc)"
else
    fail "commit with a broken key policy was accepted"
fi
if grep -Eq 'aura-prod/key-policy\.json:[0-9]+:[0-9]+: error: .*\[splice-missing-comma\]' <<<"$out"; then
    pass "the refusal shows the diagnostic: $(grep -Eo 'aura-prod/key-policy\.json:[0-9]+:[0-9]+: error: .*\[splice-missing-comma\]' <<<"$out" | head -n 1)"
else
    fail "the output lacks aura-prod/key-policy.json:LINE:COL: error: ... [splice-missing-comma]"
fi
if grep -q 'scratch/unstaged-policy.json' <<<"$out"; then
    fail "a file that was not staged was linted"
else
    pass "only the staged file was linted (scratch/unstaged-policy.json, broken and unstaged, not reported)"
fi
if grep -q 'describe-key.json' <<<"$out"; then
    fail "findings were reported for describe-key.json, which was not staged"
else
    pass "no findings reported for the committed, unstaged context file describe-key.json"
fi

# Context: the hook passes only key-policy.json; run the same command pre-commit runs,
# with and without the folder's other file, and compare what the unit sees.
"$CMKLINT" check --format concise --verbose aura-prod/key-policy.json >"$WORK/ctx.out" 2>"$WORK/ctx.err"
if grep -q 'describe-key.json' "$WORK/ctx.out"; then
    fail "context file findings leaked into the output for the named file"
else
    pass "naming only the staged file reports only that file"
fi

# --- Fix it and commit again. ------------------------------------------------------
"$CMKLINT" check --fix aura-prod/key-policy.json >"$WORK/fix.out" 2>&1
fix_rc=$?
echo "--- cmklint check --fix output (exit $fix_rc) ---"
cat "$WORK/fix.out"
echo "---"
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' aura-prod/key-policy.json; then
    pass "cmklint check --fix repaired the policy (Python's json module accepts it)"
else
    fail "the fixed policy is still not valid JSON"
fi
git add aura-prod/key-policy.json
out=$(git commit -m "Grant Aura access to the key" 2>&1)
rc=$?
echo "--- git commit output (fixed policy staged) ---"
echo "$out"
echo "---"
if [ $rc -eq 0 ] && [ "$(git rev-parse HEAD)" != "$head_before" ]; then
    pass "commit with the fixed key policy is accepted"
else
    fail "commit with the fixed key policy was refused (exit $rc)"
fi
if git show --stat HEAD | grep -q 'aura-prod/key-policy.json'; then
    pass "the accepted commit contains aura-prod/key-policy.json"
else
    fail "the accepted commit does not contain aura-prod/key-policy.json"
fi

if [ "$failures" -eq 0 ]; then
    echo "PASS: pre-commit hook test ($(($(date +%s) - started)) s in all)"
    exit 0
fi
echo "FAIL: $failures check(s) failed"
exit 1
