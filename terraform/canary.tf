# The optional canary route of `make doctor` (ops/README.md#the-canary), defined once in
# canary-route.json, which the local stack reads too.

locals {
  canary_definition = jsondecode(file("${path.module}/canary-route.json"))
  canary_route      = local.canary_definition.route

  # What both modules get: the user's routes, plus the canary route when asked for.
  routes = concat(var.routes, var.canary ? [local.canary_route] : [])
}
