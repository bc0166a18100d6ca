data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # aws_region has "name" in provider 5.x; 6.x adds "region" and deprecates
  # "name" (and "id"). Reading the object, not the attribute, works on both
  # without a deprecation warning.
  region    = coalesce(lookup(data.aws_region.current, "region", null), lookup(data.aws_region.current, "name", null))
  partition = data.aws_partition.current.partition

  # Loop-prevention user property (docs/interfaces.md); fixed by contract, not configurable.
  hop_property = "iot-bridge-hop"

  routes = { for r in var.routes : r.name => r }

  rule_names = { for name, r in local.routes : name => "${var.rule_name_prefix}_${name}" }
  rule_arns  = { for name, rule_name in local.rule_names : name => "arn:${local.partition}:iot:${local.region}:${local.account_id}:rule/${rule_name}" }

  # The single rule SQL template, shared with the local stack (docs/envelope.md).
  rule_sql = {
    for name, r in local.routes : name => trimspace(templatefile("${path.module}/templates/rule.sql.tftpl", {
      route_name    = r.name
      source_filter = r.source_filter
      condition     = trimspace(r.condition)
      hop_property  = local.hop_property
    }))
  }

  error_log_group_name = "/aws/iot/${var.rule_name_prefix}/rule-errors"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "IotRulesOnly"
      Effect    = "Allow"
      Principal = { Service = "iot.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = values(local.rule_arns) }
      }
    }]
  })

  rule_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "SendToBridgeQueue"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = var.destination_queue_arn
      }],
      var.destination_kms_key_arn == null ? [] : [{
        # SQS SSE-KMS: a producer needs GenerateDataKey and Decrypt on the queue's key.
        Sid      = "EncryptForBridgeQueue"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource = var.destination_kms_key_arn
      }]
    )
  })

  error_action_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteRuleErrors"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.errors.arn}:*"]
    }]
  })
}

resource "aws_cloudwatch_log_group" "errors" {
  #checkov:skip=CKV_AWS_158:KMS encryption of the log group is optional (error_log_kms_key_arn); by default CloudWatch Logs encrypts it with its service key.
  name              = local.error_log_group_name
  retention_in_days = var.error_log_retention_days
  kms_key_id        = var.error_log_kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "rule" {
  name                 = var.rule_role_name
  description          = "Assumed by the iot-bridge topic rules to send envelopes to the destination queue."
  assume_role_policy   = local.assume_role_policy
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "rule" {
  name   = "send-to-bridge-queue"
  role   = aws_iam_role.rule.id
  policy = local.rule_policy
}

resource "aws_iam_role" "error_action" {
  name                 = "${var.rule_role_name}-errors"
  description          = "Assumed by the iot-bridge topic rules' error action to write to CloudWatch Logs."
  assume_role_policy   = local.assume_role_policy
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "error_action" {
  name   = "write-rule-errors"
  role   = aws_iam_role.error_action.id
  policy = local.error_action_policy
}

resource "aws_iot_topic_rule" "route" {
  for_each = local.routes

  name        = local.rule_names[each.key]
  description = "iot-bridge route ${each.key}: ${each.value.source_filter} -> destination queue (envelope v1)"
  enabled     = var.rules_enabled
  sql         = local.rule_sql[each.key]
  sql_version = "2016-03-23"

  sqs {
    queue_url  = var.destination_queue_url
    role_arn   = aws_iam_role.rule.arn
    use_base64 = false
  }

  error_action {
    cloudwatch_logs {
      log_group_name = aws_cloudwatch_log_group.errors.name
      role_arn       = aws_iam_role.error_action.arn
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.rule, aws_iam_role_policy.error_action]

  lifecycle {
    precondition {
      condition     = length(local.rule_names[each.key]) <= 128
      error_message = "Topic rule name ${local.rule_names[each.key]} has ${length(local.rule_names[each.key])} characters; AWS IoT allows 128. Shorten rule_name_prefix or the route name (the rule is named <rule_name_prefix>_<route name>)."
    }
  }
}
