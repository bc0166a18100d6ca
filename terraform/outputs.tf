output "queue_url" {
  description = "Bridge queue URL (destination account)."
  value       = module.destination.queue_url
}

output "queue_arn" {
  description = "Bridge queue ARN (destination account)."
  value       = module.destination.queue_arn
}

output "dlq_url" {
  description = "Dead-letter queue URL (destination account)."
  value       = module.destination.dlq_url
}

output "function_name" {
  description = "Publisher function name (destination account)."
  value       = module.destination.function_name
}

output "rule_names" {
  description = "Topic rule names by route (source account)."
  value       = module.source.rule_names
}

output "rule_role_arn" {
  description = "Role the rules use to send to the queue (source account)."
  value       = module.source.rule_role_arn
}

output "rule_sql" {
  description = "Rendered rule SQL by route."
  value       = module.source.rule_sql
}

output "test_commands" {
  description = "Commands to try the bridge end to end (AWS CLI v2; set the profiles/credentials of each account)."
  value = {
    subscribe_destination = "Subscribe in the destination account's MQTT test client (AWS IoT console) to the destination filter(s): ${join(", ", [for r in var.routes : module.destination.destination_filters[r.name]])}"
    publish_source = join(" ", [
      "aws iot-data publish --region ${var.source_region}",
      "--endpoint-url https://$(aws iot describe-endpoint --endpoint-type iot:Data-ATS --region ${var.source_region} --query endpointAddress --output text)",
      "--topic '${replace(replace(var.routes[0].source_filter, "/#", "/test"), "+", "x")}' --qos 1",
      "--cli-binary-format raw-in-base64-out --payload '{\"hello\":\"bridge\"}'",
    ])
    watch_function_logs = "aws logs tail ${module.destination.function_log_group_name} --follow --region ${var.destination_region}"
    dlq_depth           = "aws sqs get-queue-attributes --queue-url ${module.destination.dlq_url} --attribute-names ApproximateNumberOfMessages --region ${var.destination_region}"
    dlq_peek            = "aws sqs receive-message --queue-url ${module.destination.dlq_url} --message-attribute-names All --max-number-of-messages 10 --visibility-timeout 0 --region ${var.destination_region}"
    rule_errors         = "aws logs tail ${module.source.error_log_group_name} --follow --region ${var.source_region}"
  }
}

output "doctor" {
  description = "Everything `make doctor` checks a deployment against: the routes, both accounts' resources and regions/profiles, the canary topics (null without canary = true)."
  value = {
    version = 1
    target  = "AWS"
    routes  = module.destination.routes
    canary = var.canary ? {
      route             = local.canary_route.name
      source_topic      = local.canary_definition.topic
      destination_topic = "${local.canary_route.add_prefix}${trimprefix(local.canary_definition.topic, local.canary_route.strip_prefix)}"
    } : null
    source = {
      region          = var.source_region
      profile         = var.source_profile
      assume_role_arn = var.source_assume_role_arn
      account_id      = module.source.account_id
      rule_names      = module.source.rule_names
      rule_sql        = module.source.rule_sql
      rule_role_arn   = module.source.rule_role_arn
      error_log_group = module.source.error_log_group_name
    }
    destination = {
      region             = var.destination_region
      profile            = var.destination_profile
      assume_role_arn    = var.destination_assume_role_arn
      account_id         = split(":", module.destination.queue_arn)[4]
      queue_url          = module.destination.queue_url
      queue_arn          = module.destination.queue_arn
      dlq_url            = module.destination.dlq_url
      function_name      = module.destination.function_name
      function_log_group = module.destination.function_log_group_name
    }
  }
}
