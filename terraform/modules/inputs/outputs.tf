output "routes" {
  description = "The routes as validated, every optional key filled in with its default."
  value       = var.routes
}

output "permissions_boundary" {
  description = "The validated permissions boundary ARN, or null."
  value       = var.permissions_boundary
}
