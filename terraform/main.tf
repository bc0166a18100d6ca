# The bridge in two accounts: the source module (topic rules + rule role) with the
# aws.source provider, the destination module (queue, DLQ, function, alarms) with
# aws.destination. No cycle: the destination admits the source rule role by its
# predictable ARN, and the source rules use the destination queue's outputs.

data "aws_caller_identity" "source" {
  provider = aws.source
}

locals {
  # where make native-build / make package write the zip of each runtime
  function_zip_path = coalesce(var.function_zip_path, var.runtime == "native" ? "${path.module}/../function/target/native/function.zip" : "${path.module}/../function/target/function.zip")
}

module "destination" {
  source = "./modules/destination"

  providers = {
    aws = aws.destination
  }

  name_prefix = var.name_prefix
  routes      = local.routes
  sources = [{
    account_id     = data.aws_caller_identity.source.account_id
    rule_role_name = var.rule_role_name
  }]

  runtime                            = var.runtime
  architecture                       = var.architecture
  function_zip_path                  = local.function_zip_path
  memory_size                        = var.memory_size
  timeout                            = var.timeout
  max_publish_concurrency            = var.max_publish_concurrency
  record_log                         = var.record_log
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  maximum_concurrency                = var.maximum_concurrency
  provisioned_pollers                = var.provisioned_pollers
  reserved_concurrency               = var.reserved_concurrency
  permissions_boundary               = var.destination_permissions_boundary
  max_receive_count                  = var.max_receive_count
  create_kms_key                     = var.create_kms_key
  alarm_sns_topic_arn                = var.alarm_sns_topic_arn
  log_retention_days                 = var.log_retention_days
}

module "source" {
  source = "./modules/source"

  providers = {
    aws = aws.source
  }

  routes                   = local.routes
  rule_name_prefix         = var.rule_name_prefix
  rule_role_name           = var.rule_role_name
  destination_queue_url    = module.destination.queue_url
  destination_queue_arn    = module.destination.queue_arn
  destination_kms_key_arn  = module.destination.kms_key_arn
  error_log_retention_days = var.log_retention_days
  permissions_boundary     = var.source_permissions_boundary
}
