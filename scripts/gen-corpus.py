#!/usr/bin/env python3
"""Generates a realistic cmklint benchmark corpus.

    scripts/gen-corpus.py OUT_DIR NUM_FILES [--seed N] [--broken PERCENT]

Writes NUM_FILES JSON files (1-8 KB each) under OUT_DIR, spread over "repositories" the
way teams keep them: one folder per Aura instance with a cmklint.toml (cloud, region and
the values the Aura Console shows), sub-folders per environment, and files as the cloud
tools print them: AWS key policies, `aws kms get-key-policy` / `describe-key` /
`get-key-rotation-status` output, Azure ARM templates, `az keyvault show`,
`az role assignment list`, `az keyvault key show`, GCP IAM policies, `gcloud kms keys
describe` and key ring descriptions; plus some JSON that is none of these (package.json,
tsconfig.json, ARM parameter files), as real repositories hold. A few percent of the files
are broken the way people break them (missing comma between pasted statements, trailing
comma, smart quotes, a comment). Deterministic for a given seed. Standard library only.
"""

import argparse
import base64
import json
import os
import random
import sys

AWS_REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2", "eu-west-2"]
AZURE_REGIONS = ["westeurope", "northeurope", "eastus", "uksouth", "germanywestcentral"]
AZURE_LOCATION_NAMES = {"westeurope": "West Europe", "northeurope": "North Europe",
                        "eastus": "East US", "uksouth": "UK South",
                        "germanywestcentral": "Germany West Central"}
GCP_REGIONS = ["europe-west1", "europe-west2", "us-central1", "asia-southeast1", "europe-west3"]
CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
KV_ADMIN = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
AURA_ACCOUNT = "765432109876"


def uuid(r):
    h = "%032x" % r.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[r.randrange(4)]}{h[17:20]}-{h[20:32]}"


def account(r):
    return str(r.randrange(10**11, 10**12))


def hexid(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


# ---------------------------------------------------------------- AWS

def aws_statements(r, acct, size_hint):
    stmts = [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{acct}:role/KeyAdmins"},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                    "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                    "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion"],
         "Resource": "*"},
        {"Sid": "Allow Neo4j Aura to use the key", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{AURA_ACCOUNT}:root"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                    "kms:DescribeKey"],
         "Resource": "*"},
        {"Sid": "Allow Neo4j Aura to manage grants", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{AURA_ACCOUNT}:root"},
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]
    i = 0
    while len(json.dumps(stmts, indent=4)) < size_hint:
        i += 1
        stmts.append({
            "Sid": f"AllowApp{i}", "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{acct}:role/app-{hexid(r, 6)}-{j}" for j in range(r.randrange(1, 4))]},
            "Action": r.sample(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
                                "kms:DescribeKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"], 3),
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{r.choice(AWS_REGIONS)}.amazonaws.com",
                                           "kms:CallerAccount": acct}},
        })
    return stmts


def aws_policy(r, ctx, size):
    return {"Version": "2012-10-17", "Id": "key-consolepolicy-3",
            "Statement": aws_statements(r, ctx["account"], size - 400)}


def aws_get_key_policy(r, ctx, size):
    pol = aws_policy(r, ctx, int(size * 0.75))
    return {"Policy": json.dumps(pol, indent=4), "PolicyName": "default"}


def key_arn(r, ctx):
    kid = ("mrk-" + hexid(r, 32)) if r.random() < 0.2 else uuid(r)
    return f"arn:aws:kms:{ctx['region']}:{ctx['account']}:key/{kid}", kid


def aws_describe_key(r, ctx, size):
    arn, kid = key_arn(r, ctx)
    md = {"AWSAccountId": ctx["account"], "KeyId": kid, "Arn": arn,
          "CreationDate": "2024-03-11T09:24:17.512000+00:00", "Enabled": True,
          "Description": "Neo4j Aura CMK " + hexid(r, 8), "KeyUsage": "ENCRYPT_DECRYPT",
          "KeyState": "Enabled", "Origin": "AWS_KMS", "KeyManager": "CUSTOMER",
          "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
          "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": kid.startswith("mrk-")}
    if md["MultiRegion"]:
        md["MultiRegionConfiguration"] = {
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": arn, "Region": ctx["region"]},
            "ReplicaKeys": [{"Arn": arn.replace(ctx["region"], reg), "Region": reg}
                            for reg in r.sample([x for x in AWS_REGIONS if x != ctx["region"]], 2)]}
    doc = {"KeyMetadata": md}
    tags = []
    while len(json.dumps(doc, indent=4)) + len(json.dumps(tags, indent=4)) < size - 200:
        tags.append({"TagKey": "team-" + hexid(r, 4), "TagValue": hexid(r, 24)})
    if tags:
        doc["Tags"] = tags
    return doc


def aws_rotation(r, ctx, size):
    return {"KeyRotationEnabled": r.random() < 0.8, "KeyId": key_arn(r, ctx)[0],
            "RotationPeriodInDays": 365}


# ---------------------------------------------------------------- Azure

def arm_template(r, ctx, size):
    vault = "kv-aura-" + hexid(r, 6)
    res = [
        {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01",
         "name": "[parameters('vaultName')]", "location": "[parameters('location')]",
         "properties": {"tenantId": "[subscription().tenantId]",
                        "sku": {"family": "A", "name": "premium"},
                        "enableSoftDelete": True, "softDeleteRetentionInDays": 90,
                        "enablePurgeProtection": True, "enableRbacAuthorization": True,
                        "enabledForDiskEncryption": True, "publicNetworkAccess": "Enabled",
                        "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny",
                                        "ipRules": [], "virtualNetworkRules": []}}},
        {"type": "Microsoft.KeyVault/vaults/keys", "apiVersion": "2023-07-01",
         "name": "[format('{0}/{1}', parameters('vaultName'), 'aura-cmk')]",
         "dependsOn": ["[resourceId('Microsoft.KeyVault/vaults', parameters('vaultName'))]"],
         "properties": {"kty": "RSA-HSM", "keySize": 4096, "keyOps": ["wrapKey", "unwrapKey"],
                        "rotationPolicy": {"lifetimeActions": [
                            {"trigger": {"timeAfterCreate": "P18M"}, "action": {"type": "rotate"}}],
                            "attributes": {"expiryTime": "P2Y"}}}},
        {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
         "name": "[guid(resourceId('Microsoft.KeyVault/vaults/keys', parameters('vaultName'), 'aura-cmk'), parameters('auraPrincipalId'), 'crypto-officer')]",
         "scope": "[format('Microsoft.KeyVault/vaults/{0}/keys/{1}', parameters('vaultName'), 'aura-cmk')]",
         "dependsOn": ["[resourceId('Microsoft.KeyVault/vaults/keys', parameters('vaultName'), 'aura-cmk')]"],
         "properties": {"roleDefinitionId": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{CRYPTO_OFFICER}')]",
                        "principalId": "[parameters('auraPrincipalId')]",
                        "principalType": "ServicePrincipal"}},
    ]
    t = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
         "contentVersion": "1.0.0.0",
         "parameters": {"vaultName": {"type": "string", "defaultValue": vault},
                        "location": {"type": "string", "defaultValue": ctx["region"]},
                        "auraPrincipalId": {"type": "string", "defaultValue": ctx["principal"]}},
         "resources": res}
    i = 0
    while len(json.dumps(t, indent=4)) < size:
        i += 1
        res.append({"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
                    "name": f"[guid(parameters('vaultName'), 'reader-{i}')]",
                    "scope": "[format('Microsoft.KeyVault/vaults/{0}', parameters('vaultName'))]",
                    "properties": {"roleDefinitionId": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{r.choice([CRYPTO_USER, KV_ADMIN])}')]",
                                   "principalId": uuid(r), "principalType": "Group"}})
    return t


def az_vault_show(r, ctx, size):
    sub, name = uuid(r), "kv-aura-" + hexid(r, 6)
    rg = "rg-aura-" + hexid(r, 4)
    vid = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}"
    d = {"id": vid, "location": ctx["region"], "name": name, "resourceGroup": rg,
         "properties": {"accessPolicies": [], "createMode": None, "enablePurgeProtection": True,
                        "enableRbacAuthorization": True, "enableSoftDelete": True,
                        "enabledForDeployment": False, "enabledForDiskEncryption": True,
                        "enabledForTemplateDeployment": False, "hsmPoolResourceId": None,
                        "networkAcls": {"bypass": "AzureServices", "defaultAction": "Allow",
                                        "ipRules": [], "virtualNetworkRules": []},
                        "privateEndpointConnections": None, "provisioningState": "Succeeded",
                        "publicNetworkAccess": "Enabled", "sku": {"family": "A", "name": "standard"},
                        "softDeleteRetentionInDays": 90, "tenantId": uuid(r),
                        "vaultUri": f"https://{name}.vault.azure.net/"},
         "resourceGroup": rg, "systemData": {"createdAt": "2024-05-02T10:11:12.000Z",
                                              "createdBy": "ops@example.com", "createdByType": "User"},
         "tags": {}, "type": "Microsoft.KeyVault/vaults"}
    while len(json.dumps(d, indent=4)) < size:
        d["properties"]["networkAcls"]["ipRules"].append({"value": f"{r.randrange(1, 223)}.{r.randrange(256)}.{r.randrange(256)}.0/24"})
    return d


def az_role_list(r, ctx, size):
    sub = uuid(r)
    out = []
    while len(json.dumps(out, indent=4)) < size:
        role, name = r.choice([(CRYPTO_OFFICER, "Key Vault Crypto Officer"),
                               (CRYPTO_USER, "Key Vault Crypto User"),
                               (KV_ADMIN, "Key Vault Administrator")])
        vault = "kv-aura-" + hexid(r, 6)
        out.append({"condition": None, "conditionVersion": None,
                    "createdBy": uuid(r), "createdOn": "2024-05-02T10:15:00.000000+00:00",
                    "delegatedManagedIdentityResourceId": None, "description": None,
                    "id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{uuid(r)}",
                    "name": uuid(r),
                    "principalId": ctx["principal"] if role == CRYPTO_OFFICER else uuid(r),
                    "principalName": uuid(r), "principalType": "ServicePrincipal",
                    "resourceGroup": "rg-aura",
                    "roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                    "roleDefinitionName": name,
                    "scope": f"/subscriptions/{sub}/resourceGroups/rg-aura/providers/Microsoft.KeyVault/vaults/{vault}/keys/aura-cmk",
                    "type": "Microsoft.Authorization/roleAssignments",
                    "updatedBy": uuid(r), "updatedOn": "2024-05-02T10:15:00.000000+00:00"})
    return out


def az_key_show(r, ctx, size):
    name = "kv-aura-" + hexid(r, 6)
    bits = r.choice([2048, 3072, 4096])
    n = base64.urlsafe_b64encode(r.getrandbits(bits).to_bytes(bits // 8, "big") or b"\x80").decode().rstrip("=")
    return {"attributes": {"created": "2024-05-02T10:12:00+00:00", "enabled": True,
                           "expires": None, "exportable": False, "notBefore": None,
                           "recoverableDays": 90, "recoveryLevel": "Recoverable",
                           "updated": "2024-05-02T10:12:00+00:00"},
            "key": {"crv": None, "d": None, "dp": None, "dq": None, "e": "AQAB", "k": None,
                    "keyOps": ["wrapKey", "unwrapKey", "encrypt", "decrypt"],
                    "kid": f"https://{name}.vault.azure.net/keys/aura-cmk/{hexid(r, 32)}",
                    "kty": "RSA-HSM", "n": n, "p": None, "q": None, "qi": None, "t": None,
                    "x": None, "y": None},
            "managed": None, "releasePolicy": None, "tags": {"purpose": "neo4j-aura-cmk"}}


# ---------------------------------------------------------------- GCP

def gcp_iam(r, ctx, size):
    sas = ctx["service_accounts"]
    b = [{"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "members": list(sas)},
         {"role": "roles/cloudkms.viewer", "members": list(sas)}]
    d = {"bindings": b, "etag": "BwY" + base64.b64encode(r.randbytes(6)).decode(), "version": 1}
    while len(json.dumps(d, indent=4)) < size:
        b.append({"role": r.choice(["roles/cloudkms.admin", "roles/cloudkms.cryptoKeyDecrypter",
                                    "roles/cloudkms.publicKeyViewer"]),
                  "members": [f"user:{hexid(r, 6)}@example.com",
                              f"group:kms-{hexid(r, 4)}@example.com"]})
    return d


def gcp_key(r, ctx, size):
    ring = f"projects/{ctx['project']}/locations/{ctx['region']}/keyRings/aura-ring"
    name = f"{ring}/cryptoKeys/aura-cmk"
    d = {"createTime": "2024-04-04T08:00:00.123456789Z", "destroyScheduledDuration": "2592000s",
         "labels": {"team": "data", "purpose": "neo4j-aura"}, "name": name,
         "nextRotationTime": "2025-04-04T08:00:00Z",
         "primary": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                     "createTime": "2024-04-04T08:00:00.123456789Z",
                     "generateTime": "2024-04-04T08:00:00.123456789Z",
                     "name": f"{name}/cryptoKeyVersions/1", "protectionLevel": "SOFTWARE",
                     "state": "ENABLED"},
         "purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s",
         "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "SOFTWARE"}}
    while len(json.dumps(d, indent=4)) < size:
        d["labels"][f"k{hexid(r, 6)}"] = hexid(r, 40)
    return d


def gcp_ring(r, ctx, size):
    return {"createTime": "2024-04-04T07:59:00.123456789Z",
            "name": f"projects/{ctx['project']}/locations/{ctx['region']}/keyRings/aura-ring"}


# ---------------------------------------------------------------- others

def package_json(r, ctx, size):
    deps = {}
    while len(json.dumps(deps, indent=4)) < size - 300:
        deps["@scope/pkg-" + hexid(r, 6)] = f"^{r.randrange(1, 20)}.{r.randrange(30)}.{r.randrange(30)}"
    return {"name": "infra-" + hexid(r, 4), "version": "1.0.0", "private": True,
            "scripts": {"deploy": "cdk deploy", "lint": "cmklint check ."}, "devDependencies": deps}


def arm_parameters(r, ctx, size):
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"vaultName": {"value": "kv-aura-" + hexid(r, 6)},
                           "location": {"value": ctx.get("region", "westeurope")}}}


KINDS = {
    "aws": [(aws_policy, "key-policy", 40), (aws_get_key_policy, "get-key-policy", 15),
            (aws_describe_key, "describe-key", 20), (aws_rotation, "rotation-status", 4),
            (package_json, "package", 5)],
    "azure": [(arm_template, "keyvault.template", 35), (az_vault_show, "vault", 20),
              (az_role_list, "role-assignments", 20), (az_key_show, "key", 15),
              (arm_parameters, "keyvault.parameters", 10)],
    "gcp": [(gcp_iam, "key-iam-policy", 45), (gcp_key, "crypto-key", 30),
            (gcp_ring, "key-ring", 5), (package_json, "package", 10)],
}


def render(doc):
    """Pretty-printed as the tools print them (2 spaces for gcloud, 4 for aws and az)."""
    return json.dumps(doc, indent=r_indent(doc), ensure_ascii=False) + "\n"


def r_indent(doc):
    if isinstance(doc, dict) and ("bindings" in doc or str(doc.get("name", "")).startswith("projects/")):
        return 2
    return 4 if isinstance(doc, (dict, list)) else 2


def breakage(r, text):
    """Breaks a text the way people do; returns None when the kind of break does not apply."""
    kind = r.randrange(4)
    if kind == 0 and "},\n" in text:  # pasted statements without their comma
        pos = [i for i in range(len(text)) if text.startswith("},\n", i)]
        i = r.choice(pos)
        return text[:i + 1] + text[i + 2:]
    if kind == 1 and "\n" in text:  # trailing comma
        i = text.rfind("\n}")
        j = text.rfind("\n    ]")
        k = max(i, j)
        if k > 0:
            return text[:k] + "," + text[k:]
    if kind == 2 and '"Effect"' in text:  # smart quotes from a chat message
        return text.replace('"Effect": "Allow"', '"Effect": \u201cAllow\u201d', 1)
    if kind == 3 and text.startswith("{\n"):  # a comment
        return "{\n    // managed by the platform team\n" + text[2:]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("out")
    ap.add_argument("files", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--broken", type=float, default=4.0, help="percent of files to break (some breaks do not apply)")
    a = ap.parse_args()
    r = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    written = total = broken = 0
    inst = 0
    while written < a.files:
        inst += 1
        cloud = ["aws", "azure", "gcp"][inst % 3]
        repo = os.path.join(a.out, f"team-{inst // 6:03d}", f"aura-{cloud}-{inst:04d}")
        ctx = {"account": account(r), "principal": uuid(r), "project": "acme-" + hexid(r, 6)}
        if cloud == "aws":
            ctx["region"] = r.choice(AWS_REGIONS)
            extra = f'[aura.aws]\naccount_id = "{AURA_ACCOUNT}"\n'
        elif cloud == "azure":
            ctx["region"] = r.choice(AZURE_REGIONS)
            extra = f'[aura.azure]\napplication_id = "{uuid(r)}"\nprincipal_id = "{ctx["principal"]}"\n'
        else:
            ctx["region"] = r.choice(GCP_REGIONS)
            ctx["service_accounts"] = [f"serviceAccount:aura-cmk-{i}@neo4j-aura-{hexid(r, 6)}.iam.gserviceaccount.com" for i in range(1, 4)]
            extra = "[aura.gcp]\nservice_accounts = [\n" + "".join(f'  "{s}",\n' for s in ctx["service_accounts"]) + "]\n"
        os.makedirs(repo, exist_ok=True)
        with open(os.path.join(repo, "cmklint.toml"), "w") as f:
            f.write(f'# Aura instance {inst}\n[aura]\ncloud = "{cloud}"\nregion = "{ctx["region"]}"\n{extra}')
        kinds = KINDS[cloud]
        weights = [w for _, _, w in kinds]
        n_files = min(r.randrange(8, 40), a.files - written)
        for k in range(n_files):
            fn, stem, _ = r.choices(kinds, weights)[0]
            env = r.choice(["prod", "staging", "dev", "shared"])
            size = int(r.triangular(1000, 8000, 2500))
            text = render(fn(r, ctx, size))
            if r.random() * 100 < a.broken:
                b = breakage(r, text)
                if b is not None:
                    text, broken = b, broken + 1
            path = os.path.join(repo, env, f"{stem}-{k:02d}.json")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            written += 1
            total += len(text.encode())
    print(f"{written} files, {total} bytes, {broken} broken, {inst} instances in {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
