# The publisher function: its build (runtime, manifest check), environment, log group and alias.

locals {
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
      BRIDGE_ROUTES          = jsonencode(module.inputs.routes)
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
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:KMS encryption of the log group is optional (log_kms_key_arn); by default CloudWatch Logs encrypts it with its service key.
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
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
