# The bridge queue, its dead-letter queue and their policies; the retry budget they are sized by.

locals {
  min_visibility_timeout     = 6 * var.timeout + var.maximum_batching_window_in_seconds
  visibility_timeout_seconds = coalesce(var.visibility_timeout_seconds, local.min_visibility_timeout)

  # The function delays receive n of a failed record by min(cap, base * 2^(n-1)) seconds, drawn
  # between half and all of it (RetryBackoff.java). At the shortest draws, max_receive_count
  # receives span the sum below: an outage shorter than that never reaches the last receive.
  retry_shortest_span_seconds = sum(concat([0], [
    for n in range(1, var.max_receive_count) :
    ceil(min(var.retry_backoff_cap_seconds, var.retry_backoff_base_seconds * pow(2, n - 1)) / 2)
  ]))
  # a record must not expire during the tolerated outage, its last backoff step and one
  # visibility timeout (the function gives up one base delay before it would expire)
  retry_min_retention_seconds = var.outage_tolerance_seconds + var.retry_backoff_cap_seconds + var.retry_backoff_base_seconds + local.visibility_timeout_seconds
}

resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = var.create_kms_key ? null : true
  kms_master_key_id         = local.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "main" {
  name                       = local.queue_name
  visibility_timeout_seconds = local.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = var.create_kms_key ? null : true
  kms_master_key_id          = local.kms_key_arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.visibility_timeout_seconds >= local.min_visibility_timeout && local.visibility_timeout_seconds <= 43200
      error_message = "visibility_timeout_seconds must be at least 6 x timeout + maximum_batching_window_in_seconds (${local.min_visibility_timeout} s) and at most 43200 s."
    }
    precondition {
      condition     = local.retry_shortest_span_seconds >= var.outage_tolerance_seconds
      error_message = "max_receive_count = ${var.max_receive_count} receives with backoff ${var.retry_backoff_base_seconds} s doubling to ${var.retry_backoff_cap_seconds} s span only ${local.retry_shortest_span_seconds} s at the shortest delays: an outage of outage_tolerance_seconds (${var.outage_tolerance_seconds} s) would reach the last receive. Raise max_receive_count (the default 60 spans 7 hours) or the backoff."
    }
    precondition {
      condition     = var.message_retention_seconds >= local.retry_min_retention_seconds
      error_message = "message_retention_seconds (${var.message_retention_seconds}) must outlast outage_tolerance_seconds + retry_backoff_cap_seconds + retry_backoff_base_seconds + the visibility timeout (${local.retry_min_retention_seconds} s), or records expire during a tolerated outage."
    }
    precondition {
      condition     = var.retry_backoff_base_seconds <= var.retry_backoff_cap_seconds && var.retry_backoff_cap_seconds + var.timeout <= 43200
      error_message = "retry_backoff_base_seconds must not exceed retry_backoff_cap_seconds, and retry_backoff_cap_seconds + timeout must stay within SQS's 12-hour visibility limit (43200 s)."
    }
    precondition {
      # SQS keeps a message's original enqueue time when it moves to the DLQ: a shorter
      # DLQ retention would delete failed messages before anyone could redrive them.
      condition     = var.dlq_message_retention_seconds >= var.message_retention_seconds
      error_message = "dlq_message_retention_seconds (${var.dlq_message_retention_seconds} s) must be at least message_retention_seconds (${var.message_retention_seconds} s): a message keeps its enqueue time when moved to the DLQ and would expire there early."
    }
  }
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.main.arn]
  })
}

locals {
  # Both queues refuse every request not made over TLS.
  deny_non_tls = { for name, arn in { main = aws_sqs_queue.main.arn, dlq = aws_sqs_queue.dlq.arn } : name => {
    Sid       = "DenyNonTLS"
    Effect    = "Deny"
    Principal = "*"
    Action    = "sqs:*"
    Resource  = arn
    Condition = {
      Bool = { "aws:SecureTransport" = "false" }
    }
  } }

  queue_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Principal is the source account root, narrowed to the rule role by
        # aws:PrincipalArn: this policy is valid before the role exists, so
        # either account can be applied first.
        Sid       = "AllowSourceRuleRolesToSend"
        Effect    = "Allow"
        Principal = { AWS = local.source_account_roots }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.main.arn
        Condition = {
          ArnEquals = { "aws:PrincipalArn" = local.source_rule_role_arns }
        }
      },
      local.deny_non_tls.main,
    ]
  })
}

resource "aws_sqs_queue_policy" "main" {
  queue_url = aws_sqs_queue.main.id
  policy    = local.queue_policy
}

locals {
  dlq_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.deny_non_tls.dlq]
  })
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = local.dlq_policy
}
