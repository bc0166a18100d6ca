# `make doctor` (doctor/README.md): the optional canary route and the one output doctor reads.
# The canary route is defined once, in canary-route.json, which the local stack reads too.

variable "canary" {
  description = "Add the canary route of canary-route.json (iot-bridge/canary/#, same topic, QoS 1, retained) so that `make doctor` can send one message through the deployment and read it back with GetRetainedMessage. The function role then may publish (and retain) on iot-bridge/canary/*."
  type        = bool
  default     = false
  nullable    = false
}

locals {
  canary_definition = jsondecode(file("${path.module}/canary-route.json"))
  canary_route      = local.canary_definition.route

  # What both modules get: the user's routes, plus the canary route when asked for.
  routes = concat(var.routes, var.canary ? [local.canary_route] : [])
}

output "doctor" {
  description = "Everything `make doctor` checks a deployment against: the routes, both accounts' resources and regions/profiles, the canary topics (null without canary = true)."
  value = {
    version = 1
    target  = "AWS"
    routes  = local.routes
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
