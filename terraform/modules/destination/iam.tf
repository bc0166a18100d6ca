# The function's execution role: what the routes allow it to publish, and where it may read and write.

locals {
  # Destination topic = add_prefix + (source topic without strip_prefix), so the
  # destination *filter* of a route is add_prefix + (source_filter without
  # strip_prefix). IAM cannot express MQTT wildcards: '+' and '#' both become '*',
  # which in an ARN also matches '/' (several levels). That is the tightest IAM
  # can say; the function enforces the exact filter. A filter ending in '/#' also
  # matches its parent topic, which gets its own ARN.
  destination_filters = {
    for r in module.inputs.routes : r.name => "${r.add_prefix}${substr(r.source_filter, length(r.strip_prefix), -1)}"
  }
  destination_topic_patterns = {
    for name, f in local.destination_filters : name => distinct(concat(
      [replace(replace(f, "+", "*"), "#", "*")],
      endswith(f, "/#") ? [replace(substr(f, 0, length(f) - 2), "+", "*")] : []
    ))
  }
  topic_arn_prefix = "arn:${module.account.partition}:iot:${module.account.region}:${module.account.account_id}:topic/"
  publish_topic_arns = sort(distinct(flatten([
    for name, patterns in local.destination_topic_patterns : [for p in patterns : "${local.topic_arn_prefix}${p}"]
  ])))
  retain_topic_arns = sort(distinct(flatten([
    for r in module.inputs.routes : [for p in local.destination_topic_patterns[r.name] : "${local.topic_arn_prefix}${p}"] if r.retain
  ])))
}

resource "aws_iam_role" "function" {
  name        = "${module.names.name_prefix}-publisher"
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
        StringEquals = { "aws:SourceAccount" = module.account.account_id }
      }
    }]
  })
  permissions_boundary = module.inputs.permissions_boundary
  tags                 = var.tags
}

locals {
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
}

resource "aws_iam_role_policy" "function" {
  name   = "iot-bridge-publisher"
  role   = aws_iam_role.function.id
  policy = local.function_policy
}
