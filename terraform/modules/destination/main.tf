data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

data "aws_iot_endpoint" "this" {
  endpoint_type = "iot:Data-ATS"
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # aws_region has "name" in provider 5.x; 6.x adds "region" and deprecates
  # "name" (and "id"). Reading the object, not the attribute, works on both
  # without a deprecation warning.
  region    = coalesce(lookup(data.aws_region.current, "region", null), lookup(data.aws_region.current, "name", null))
  partition = data.aws_partition.current.partition

  queue_name    = var.name_prefix
  dlq_name      = "${var.name_prefix}-dlq"
  function_name = "${var.name_prefix}-publisher"

  # ------------------------------------------------------------ sources ---
  source_account_roots = distinct([for s in var.sources : "arn:${local.partition}:iam::${s.account_id}:root"])
  source_rule_role_arns = [
    for s in var.sources : "arn:${local.partition}:iam::${s.account_id}:role/${s.rule_role_name}"
  ]

  # ----------------------------------------------- destination topics ---
  # Destination topic = add_prefix + (source topic without strip_prefix), so the
  # destination *filter* of a route is add_prefix + (source_filter without
  # strip_prefix). IAM cannot express MQTT wildcards: '+' and '#' both become '*',
  # which in an ARN also matches '/' (several levels). That is the tightest IAM
  # can say; the function enforces the exact filter. A filter ending in '/#' also
  # matches its parent topic, which gets its own ARN.
  destination_filters = {
    for r in var.routes : r.name => "${r.add_prefix}${substr(r.source_filter, length(r.strip_prefix), -1)}"
  }
  destination_topic_patterns = {
    for name, f in local.destination_filters : name => distinct(concat(
      [replace(replace(f, "+", "*"), "#", "*")],
      endswith(f, "/#") ? [replace(substr(f, 0, length(f) - 2), "+", "*")] : []
    ))
  }
  topic_arn_prefix = "arn:${local.partition}:iot:${local.region}:${local.account_id}:topic/"
  publish_topic_arns = sort(distinct(flatten([
    for name, patterns in local.destination_topic_patterns : [for p in patterns : "${local.topic_arn_prefix}${p}"]
  ])))
  retain_topic_arns = sort(distinct(flatten([
    for r in var.routes : [for p in local.destination_topic_patterns[r.name] : "${local.topic_arn_prefix}${p}"] if r.retain
  ])))

  # --------------------------------------------------------- function ---
  runtime_settings = {
    native = {
      runtime = "provided.al2023"
      handler = "bootstrap"
      memory  = 256
    }
    jvm = {
      runtime = "java21"
      handler = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest"
      memory  = 1024
    }
  }
  runtime_setting = local.runtime_settings[var.runtime]
  memory_size     = coalesce(var.memory_size, local.runtime_setting.memory)

  # What the zip was built as, from the sidecar ZIP.json that .ci/function-manifest.sh writes from
  # the zip's contents (make package / native-build / fetch-release): Terraform cannot read a zip.
  # A zip without one (built by other means) is deployed unchecked.
  function_manifest_path = "${var.function_zip_path}.json"
  function_manifest      = fileexists(local.function_manifest_path) ? jsondecode(file(local.function_manifest_path)) : null

  function_environment = merge(
    {
      BRIDGE_ROUTES          = jsonencode(var.routes)
      BRIDGE_IOT_ENDPOINT    = "https://${data.aws_iot_endpoint.this.endpoint_address}"
      BRIDGE_DLQ_URL         = aws_sqs_queue.dlq.url
      BRIDGE_MAX_CONCURRENCY = tostring(var.max_publish_concurrency)
      BRIDGE_PUBLISH_TIMEOUT = var.publish_timeout
      BRIDGE_RECORD_LOG      = var.record_log
      # retries: the queue's redrive and retention, and the backoff (docs/reliability.md)
      BRIDGE_MAX_RECEIVE_COUNT = tostring(var.max_receive_count)
      BRIDGE_MESSAGE_RETENTION = "${var.message_retention_seconds}s"
      BRIDGE_BACKOFF_BASE      = "${var.retry_backoff_base_seconds}s"
      BRIDGE_BACKOFF_CAP       = "${var.retry_backoff_cap_seconds}s"
    },
    # Quarkus' native Lambda template sets DISABLE_SIGNAL_HANDLERS; the JVM build
    # starts faster with C1 only (Quarkus/AWS guidance for short-lived functions).
    var.runtime == "native" ? { DISABLE_SIGNAL_HANDLERS = "true" } : {},
    var.runtime == "jvm" ? { JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1" } : {}
  )

  min_visibility_timeout     = 6 * var.timeout + var.maximum_batching_window_in_seconds
  visibility_timeout_seconds = coalesce(var.visibility_timeout_seconds, local.min_visibility_timeout)

  kms_key_arn = var.create_kms_key ? aws_kms_key.queue[0].arn : null

  # ----------------------------------------------------------- retries ---
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

  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  # ---------------------------------------------------------- policies ---
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
      {
        Sid       = "DenyNonTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.main.arn
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  })

  dlq_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyNonTLS"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = aws_sqs_queue.dlq.arn
      Condition = {
        Bool = { "aws:SecureTransport" = "false" }
      }
    }]
  })

  function_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ConsumeBridgeQueue"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
          Resource = aws_sqs_queue.main.arn
        },
        {
          Sid      = "QuarantineToDlq"
          Effect   = "Allow"
          Action   = "sqs:SendMessage"
          Resource = aws_sqs_queue.dlq.arn
        },
        {
          Sid      = "PublishRouteTopics"
          Effect   = "Allow"
          Action   = "iot:Publish"
          Resource = local.publish_topic_arns
        },
        {
          # A route like strip "a/" + filter "a/#" + no add_prefix yields topic/*, which would
          # include AWS-reserved topics ($aws/things/..., shadows, jobs). The function refuses
          # them too; this makes IAM the backstop.
          Sid      = "NeverPublishReservedTopics"
          Effect   = "Deny"
          Action   = ["iot:Publish", "iot:RetainPublish"]
          Resource = "${local.topic_arn_prefix}$*"
        },
        {
          Sid      = "OwnLogGroup"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.function.arn}:*"
        },
      ],
      length(local.retain_topic_arns) == 0 ? [] : [{
        Sid      = "RetainPublishRouteTopics"
        Effect   = "Allow"
        Action   = "iot:RetainPublish"
        Resource = local.retain_topic_arns
      }],
      var.create_kms_key ? [{
        Sid      = "UseQueueKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.queue[0].arn
      }] : [],
      var.tracing_mode == "Active" ? [{
        # X-Ray has no resource-level permissions: AWS requires Resource "*".
        Sid      = "XRayTracing"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      }] : []
    )
  })

  kms_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # AWS default key policy statement: the owning account administers the key
        # through IAM (prevents an unmanageable key). "*" here means "this key".
        Sid       = "EnableIamPoliciesOfOwningAccount"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
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
          StringEquals = { "kms:ViaService" = "sqs.${local.region}.amazonaws.com" }
        }
      },
    ]
  })
}

# ------------------------------------------------------------------- KMS ---

resource "aws_kms_key" "queue" {
  count = var.create_kms_key ? 1 : 0

  description             = "iot-bridge ${var.name_prefix}: SSE for the bridge queue and its DLQ"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = local.kms_key_policy
  tags                    = var.tags
}

resource "aws_kms_alias" "queue" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/${var.name_prefix}-queue"
  target_key_id = aws_kms_key.queue[0].key_id
}

# ---------------------------------------------------------------- queues ---

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

resource "aws_sqs_queue_policy" "main" {
  queue_url = aws_sqs_queue.main.id
  policy    = local.queue_policy
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = local.dlq_policy
}

# -------------------------------------------------------------- function ---

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:KMS encryption of the log group is optional (log_kms_key_arn); by default CloudWatch Logs encrypts it with its service key.
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "function" {
  name        = "${var.name_prefix}-publisher"
  description = "Execution role of the iot-bridge publisher function."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaOnly"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      # Confused-deputy guard. Lambda's developer guide does not say it sends aws:SourceAccount when
      # it assumes an execution role; AWS's own example trust policy for a Lambda role carries this
      # condition (github.com/aws/agent-toolkit-for-aws, lambda-trust-policy.json). If Lambda did
      # not send the key, CreateFunction would fail at the first apply ("cannot be assumed by Lambda").
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "function" {
  name   = "iot-bridge-publisher"
  role   = aws_iam_role.function.id
  policy = local.function_policy
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:An async-invocation DLQ does not apply: the function is invoked synchronously by the SQS event source mapping; failed records go to the queue's redrive DLQ.
  #checkov:skip=CKV_AWS_117:The function only calls public AWS endpoints (iot-data, SQS); a VPC would add NAT/endpoints without a security benefit here.
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile the user owns; the zip is built by this project's pipeline. Out of scope of the module.
  #checkov:skip=CKV_AWS_173:The environment holds no secrets (routes, endpoint, DLQ URL); Lambda encrypts it at rest with its service key.
  function_name                  = local.function_name
  description                    = "iot-bridge: republishes envelopes from ${local.queue_name} into this account's IoT Core"
  role                           = aws_iam_role.function.arn
  filename                       = var.function_zip_path
  source_code_hash               = fileexists(var.function_zip_path) ? filebase64sha256(var.function_zip_path) : null
  runtime                        = local.runtime_setting.runtime
  handler                        = local.runtime_setting.handler
  architectures                  = [var.architecture]
  memory_size                    = local.memory_size
  timeout                        = var.timeout
  publish                        = true
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = local.function_environment
  }

  dynamic "snap_start" {
    for_each = var.runtime == "jvm" ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function.name
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.function]

  lifecycle {
    precondition {
      condition     = fileexists(var.function_zip_path)
      error_message = "The function package ${var.function_zip_path} does not exist: build it first (make package, or make native-build for runtime = \"native\")."
    }
    precondition {
      condition     = local.function_manifest == null || try(local.function_manifest.sha256 == filesha256(var.function_zip_path), false)
      error_message = "The build manifest ${local.function_manifest_path} describes another zip than ${var.function_zip_path} (the zip was rebuilt or replaced after it was written): run make package / make native-build again, or .ci/function-manifest.sh ${var.function_zip_path}."
    }
    precondition {
      condition     = local.function_manifest == null || try(local.function_manifest.kind == var.runtime && contains(local.function_manifest.architectures, var.architecture), false)
      error_message = "${var.function_zip_path} was built as ${jsonencode(local.function_manifest)} (${local.function_manifest_path}), which does not run as runtime = \"${var.runtime}\" on architecture = \"${var.architecture}\": deploy the zip built for them (e.g. make fetch-release KIND=${var.runtime} ARCH=${var.architecture}) or set runtime/architecture to match the zip."
    }
    precondition {
      condition     = length(jsonencode(local.function_environment)) <= 4096
      error_message = "The function environment (BRIDGE_ROUTES and the rest) exceeds Lambda's 4 KB limit: shorten or merge routes."
    }
  }
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  description      = "Version invoked by the event source mapping (SnapStart applies to published versions)."
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

resource "aws_lambda_event_source_mapping" "queue" {
  event_source_arn                   = aws_sqs_queue.main.arn
  function_name                      = aws_lambda_alias.live.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  enabled                            = true

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  dynamic "provisioned_poller_config" {
    for_each = var.provisioned_pollers == null ? [] : [var.provisioned_pollers]
    content {
      minimum_pollers = provisioned_poller_config.value.minimum
      maximum_pollers = provisioned_poller_config.value.maximum
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
      error_message = "batch_size above 10 needs maximum_batching_window_in_seconds >= 1."
    }
    precondition {
      # AWS refuses (or throttles) an event source mapping allowed more concurrent
      # invocations than the function may run.
      condition     = var.reserved_concurrency == null || var.maximum_concurrency == null || try(var.reserved_concurrency >= var.maximum_concurrency, false)
      error_message = "reserved_concurrency (${coalesce(var.reserved_concurrency, 0)}) must be at least maximum_concurrency (${coalesce(var.maximum_concurrency, 0)}) when both are set: raise the reservation, lower maximum_concurrency, or set reserved_concurrency = null."
    }
    precondition {
      # Lambda developer guide, "Configuring scaling behavior for SQS event source mappings":
      # maximum concurrency and provisioned mode are mutually exclusive.
      condition     = var.provisioned_pollers == null || var.maximum_concurrency == null
      error_message = "provisioned_pollers and maximum_concurrency (${coalesce(var.maximum_concurrency, 0)}) cannot both be set: AWS does not combine provisioned mode with a maximum concurrency. Set maximum_concurrency = null to use provisioned mode (cap the function with reserved_concurrency instead), or provisioned_pollers = null for standard mode."
    }
  }

  depends_on = [aws_iam_role_policy.function]
}

# ---------------------------------------------------------------- alarms ---

locals {
  # One alarm per way the bridge can need an operator; all notify the optional SNS topic.
  alarms = {
    "dlq-not-empty" = {
      description         = "Messages are waiting in the iot-bridge DLQ (quarantined or out of retries): inspect the BridgeErrorCode attribute, then redrive or discard."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateNumberOfMessagesVisible"
      dimensions          = { QueueName = aws_sqs_queue.dlq.name }
      statistic           = "Maximum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
    }
    "oldest-message-age" = {
      description         = "The oldest message in the iot-bridge queue is older than ${var.oldest_message_age_threshold_seconds} s: the function is failing, throttled or too slow."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateAgeOfOldestMessage"
      dimensions          = { QueueName = aws_sqs_queue.main.name }
      statistic           = "Maximum"
      period              = 60
      evaluation_periods  = 5
      datapoints_to_alarm = 3
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = var.oldest_message_age_threshold_seconds
    }
    "function-errors" = {
      description         = "The iot-bridge publisher function failed invocations (whole batches retried)."
      namespace           = "AWS/Lambda"
      metric_name         = "Errors"
      dimensions          = { FunctionName = aws_lambda_function.this.function_name }
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
    }
    "function-throttles" = {
      description         = "The iot-bridge publisher function is throttled (raise account concurrency or lower maximum_concurrency)."
      namespace           = "AWS/Lambda"
      metric_name         = "Throttles"
      dimensions          = { FunctionName = aws_lambda_function.this.function_name }
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
