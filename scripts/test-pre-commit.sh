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
#   3. after `cmklint check --fix` (the binary pre-commit built) and `git add`, the
#      commit is accepted;
#   4. the linter still sees the staged file's unit (DESIGN §4): pre-commit passes only
#      the staged `get-key-rotation-status` output, yet the committed `describe-key`
#      output beside it is read as context (imported key material cannot rotate, so
#      `aws-key-rotation-disabled` stays silent), while the same file in a folder
#      without it is refused.
# The hook runs with `args: [--fail-on, warning]` so that the warning of step 4 fails.
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
        args: [--fail-on, warning]
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

# commit_staged MESSAGE: runs `git commit`, sets $out (its output), $rc and $ms (time).
commit_staged() {
    local t0
    t0=$(date +%s%N)
    out=$(git commit -m "$1" 2>&1)
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
}

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
commit_staged "Add key metadata"
if [ $rc -eq 0 ]; then
    pass "a clean file is accepted (git commit took $ms ms)"
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
commit_staged "Grant Aura access to the key"
echo "--- git commit output (broken policy staged; $ms ms) ---"
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
commit_staged "Grant Aura access to the key"
echo "--- git commit output (fixed policy staged; $ms ms) ---"
echo "$out"
echo "---"
if [ $rc -eq 0 ] && [ "$(git rev-parse HEAD)" != "$head_before" ]; then
    pass "commit with the fixed key policy is accepted"
else
    fail "commit with the fixed key policy was refused (exit $rc)"
fi
if git show HEAD:aura-prod/key-policy.json >"$WORK/committed.json" 2>/dev/null &&
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/committed.json"; then
    pass "the accepted commit holds the fixed, valid aura-prod/key-policy.json"
else
    fail "the accepted commit does not hold a valid aura-prod/key-policy.json"
fi


# --- Context: only the staged file is passed, its folder is still read. -------------
mkdir -p aura-imported aura-dev
sed -e 's/"Origin": "AWS_KMS"/"Origin": "EXTERNAL"/' \
    -e 's/"KeyManager"/"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",\n        "KeyManager"/' \
    aura-prod/describe-key.json >aura-imported/describe-key.json
grep -q '"Origin": "EXTERNAL"' aura-imported/describe-key.json || die "could not write aura-imported/describe-key.json"
git add aura-imported/describe-key.json
commit_staged "Add the imported key's metadata"
[ $rc -eq 0 ] || {
    echo "$out"
    fail "the imported key's metadata was refused"
}
rotation='{
    "KeyRotationEnabled": false
}'
echo "$rotation" >aura-imported/rotation-status.json
echo "$rotation" >aura-dev/rotation-status.json
git add aura-imported/rotation-status.json
commit_staged "Record the imported key's rotation status"
echo "--- git commit output (aura-imported/rotation-status.json staged alone; $ms ms) ---"
echo "$out"
echo "---"
if [ $rc -eq 0 ]; then
    pass "context read: rotation off is accepted beside describe-key output of imported key material (only the staged file was passed)"
else
    fail "rotation status beside imported key material was refused: the committed describe-key.json was not read as context"
fi
git add aura-dev/rotation-status.json
commit_staged "Record the dev key's rotation status"
echo "--- git commit output (aura-dev/rotation-status.json staged, no describe-key beside it; $ms ms) ---"
echo "$out"
echo "---"
if [ $rc -ne 0 ] && grep -Eq 'aura-dev/rotation-status\.json:[0-9]+:[0-9]+: warning: .*\[aws-key-rotation-disabled\]' <<<"$out"; then
    pass "without that context the same file is refused: $(grep -Eo 'aura-dev/rotation-status\.json:[0-9]+:[0-9]+: warning: .*\[aws-key-rotation-disabled\]' <<<"$out" | head -n 1)"
else
    fail "rotation off without describe-key output beside it was not refused with aws-key-rotation-disabled"
fi
git reset -q aura-dev/rotation-status.json

if [ "$failures" -eq 0 ]; then
    echo "PASS: pre-commit hook test ($(($(date +%s) - started)) s in all)"
    exit 0
fi
echo "FAIL: $failures check(s) failed"
exit 1
