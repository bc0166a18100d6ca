# Optional customer managed key of both queues (create_kms_key).

locals {
  kms_key_arn = var.create_kms_key ? aws_kms_key.queue[0].arn : null

  kms_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # AWS default key policy statement: the owning account administers the key
        # through IAM (prevents an unmanageable key). "*" here means "this key".
        Sid       = "EnableIamPoliciesOfOwningAccount"
        Effect    = "Allow"
        Principal = { AWS = "arn:${module.account.partition}:iam::${module.account.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowSourceRuleRolesThroughSqs"
        Effect    = "Allow"
        Principal = { AWS = local.source_account_roots }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = {
          ArnEquals    = { "aws:PrincipalArn" = local.source_rule_role_arns }
          StringEquals = { "kms:ViaService" = "sqs.${module.account.region}.amazonaws.com" }
        }
      },
    ]
  })
}

resource "aws_kms_key" "queue" {
  count = var.create_kms_key ? 1 : 0

  description             = "iot-bridge ${module.names.name_prefix}: SSE for the bridge queue and its DLQ"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = local.kms_key_policy
  tags                    = var.tags
}

resource "aws_kms_alias" "queue" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/${module.names.name_prefix}-queue"
  target_key_id = aws_kms_key.queue[0].key_id
}
