#!/usr/bin/env python3
"""Writes a corpus of realistic cmklint inputs for benchmarks (never committed).

usage: gen_corpus.py DIR N

N files in folders of 50, round-robin over the kinds cmklint reads: AWS key policy,
describe-key, rotation status, get-key-policy output; Azure vault (az keyvault show) and
ARM template; GCP crypto key and IAM policy. About one file in five has a mistake a rule
(built-in or pack) reports.
"""
import json
import os
import sys

REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"]


def key_policy(i):
    acct = f"{480516237091 + i:012d}"
    return {
        "Version": "2012-10-17",
        "Id": "key-consolepolicy-3",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Allow access for Key Administrators",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{acct}:role/KMSAdmin"},
                "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                           "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                           "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                           "kms:CancelKeyDeletion"],
                "Resource": "*",
            },
            {
                "Sid": "Allow access for Neo4j",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                           "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}},
            },
        ],
    }


def describe_key(i):
    region = REGIONS[i % len(REGIONS)]
    kid = f"{i:08x}-5b84-4e6d-9c21-0a8e4f6b3d57"
    return {"KeyMetadata": {
        "AWSAccountId": "480516237091", "KeyId": kid,
        "Arn": f"arn:aws:kms:{region}:480516237091:key/{kid}",
        "CreationDate": "2025-03-11T09:42:17.512000+00:00", "Enabled": True,
        "Description": "Neo4j Aura CMK", "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled" if i % 7 else "Disabled", "Origin": "AWS_KMS", "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False}}


def rotation(i):
    return {"KeyRotationEnabled": True, "KeyId": f"{i:08x}-5b84-4e6d-9c21-0a8e4f6b3d57",
            "RotationPeriodInDays": 365 if i % 5 == 0 else 180,
            "NextRotationDate": "2026-03-11T09:42:17.512000+00:00"}


def get_key_policy(i):
    return {"Policy": json.dumps(key_policy(i), indent=4), "PolicyName": "default"}


def vault(i):
    name = f"kv-aura-{i:06d}"
    return {
        "id": f"/subscriptions/6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{name}",
        "location": "westeurope", "name": name,
        "properties": {
            "accessPolicies": [], "enablePurgeProtection": None if i % 6 == 0 else True,
            "enableRbacAuthorization": True, "enableSoftDelete": True, "enabledForDeployment": False,
            "enabledForDiskEncryption": True, "enabledForTemplateDeployment": False,
            "networkAcls": None, "provisioningState": "Succeeded", "publicNetworkAccess": "Enabled",
            "sku": {"family": "A", "name": "premium"}, "softDeleteRetentionInDays": 90,
            "tenantId": "0c7d5e4f-3a2b-4c1d-9e8f-7a6b5c4d3e2f",
            "vaultUri": f"https://{name}.vault.azure.net/"},
        "resourceGroup": "rg", "tags": {"owner": "platform-team"} if i % 4 else {},
        "type": "Microsoft.KeyVault/vaults"}


def template(i):
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"vaultName": {"type": "string", "defaultValue": f"kv-tpl-{i:06d}"},
                       "location": {"type": "string", "defaultValue": "westeurope"}},
        "resources": [{
            "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01",
            "name": "[parameters('vaultName')]", "location": "[parameters('location')]",
            "tags": {"owner": "platform-team"},
            "properties": {"tenantId": "[subscription().tenantId]",
                           "sku": {"family": "A", "name": "standard"},
                           "enableSoftDelete": True, "enablePurgeProtection": True,
                           "enableRbacAuthorization": True, "enabledForDiskEncryption": i % 3 != 0}}]}


def crypto_key(i):
    loc = "europe-west3" if i % 3 else "us-central1"
    name = f"projects/acme-{i:06d}/locations/{loc}/keyRings/aura/cryptoKeys/aura-db"
    return {"createTime": "2025-06-03T07:21:44.918273Z", "destroyScheduledDuration": "2592000s",
            "name": name, "nextRotationTime": "2026-06-03T07:21:44Z",
            "primary": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "name": name + "/cryptoKeyVersions/1",
                        "protectionLevel": "SOFTWARE", "state": "ENABLED"},
            "purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s" if i % 5 else "31536000s",
            "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "SOFTWARE"}}


def iam_policy(i):
    sas = [f"serviceAccount:aura-{n}-{i}@aura-prod.iam.gserviceaccount.com" for n in range(3)]
    return {"bindings": [{"members": sas, "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter"},
                         {"members": sas, "role": "roles/cloudkms.viewer"}],
            "etag": "BwYrNh8VHc0=", "version": 1}


KINDS = [("key-policy", key_policy), ("describe-key", describe_key), ("rotation-status", rotation),
         ("get-key-policy", get_key_policy), ("vault", vault), ("azuredeploy", template),
         ("crypto-key", crypto_key), ("iam-policy", iam_policy)]


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    for i in range(n):
        folder = os.path.join(out, f"unit-{i // 50:04d}")
        os.makedirs(folder, exist_ok=True)
        name, make = KINDS[i % len(KINDS)]
        with open(os.path.join(folder, f"{name}-{i:06d}.json"), "w") as f:
            json.dump(make(i), f, indent=4)
            f.write("\n")


if __name__ == "__main__":
    main()
