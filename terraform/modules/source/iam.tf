# The roles the topic rules assume: one to send to the destination queue, one for the error action.

locals {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "IotRulesOnly"
      Effect    = "Allow"
      Principal = { Service = "iot.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = module.account.account_id }
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

resource "aws_iam_role" "rule" {
  name                 = module.names.rule_role_name
  description          = "Assumed by the iot-bridge topic rules to send envelopes to the destination queue."
  assume_role_policy   = local.assume_role_policy
  max_session_duration = 3600
  permissions_boundary = module.inputs.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "rule" {
  name   = "send-to-bridge-queue"
  role   = aws_iam_role.rule.id
  policy = local.rule_policy
}

resource "aws_iam_role" "error_action" {
  name                 = "${module.names.rule_role_name}-errors"
  description          = "Assumed by the iot-bridge topic rules' error action to write to CloudWatch Logs."
  assume_role_policy   = local.assume_role_policy
  permissions_boundary = module.inputs.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "error_action" {
  name   = "write-rule-errors"
  role   = aws_iam_role.error_action.id
  policy = local.error_action_policy
}
