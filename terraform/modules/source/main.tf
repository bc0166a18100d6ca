# The account, region and partition the rules live in (modules/account, shared with the destination module).
module "account" {
  source = "../account"
}

module "names" {
  source = "../names"

  rule_name_prefix = var.rule_name_prefix
  rule_role_name   = var.rule_role_name
}

module "inputs" {
  source = "../inputs"

  routes               = var.routes
  permissions_boundary = var.permissions_boundary
}

locals {
  # Loop-prevention user property (docs/interfaces.md); fixed by contract, not configurable.
  hop_property = "iot-bridge-hop"

  routes = { for r in module.inputs.routes : r.name => r }

  rule_names = { for name, r in local.routes : name => "${module.names.rule_name_prefix}_${name}" }
  rule_arns  = { for name, rule_name in local.rule_names : name => "arn:${module.account.partition}:iot:${module.account.region}:${module.account.account_id}:rule/${rule_name}" }

  # The single rule SQL template, shared with the local stack (docs/envelope.md).
  rule_sql = {
    for name, r in local.routes : name => trimspace(templatefile("${path.module}/templates/rule.sql.tftpl", {
      route_name    = r.name
      source_filter = r.source_filter
      condition     = trimspace(r.condition)
      hop_property  = local.hop_property
    }))
  }

  error_log_group_name = "/aws/iot/${module.names.rule_name_prefix}/rule-errors"
}

resource "aws_cloudwatch_log_group" "errors" {
  #checkov:skip=CKV_AWS_158:KMS encryption of the log group is optional (error_log_kms_key_arn); by default CloudWatch Logs encrypts it with its service key.
  name              = local.error_log_group_name
  retention_in_days = var.error_log_retention_days
  kms_key_id        = var.error_log_kms_key_arn
  tags              = var.tags
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
