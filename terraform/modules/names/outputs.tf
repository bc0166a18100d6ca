output "name_prefix" {
  description = "The validated name_prefix, or null."
  value       = var.name_prefix
}

output "rule_name_prefix" {
  description = "The validated rule_name_prefix, or null."
  value       = var.rule_name_prefix
}

output "rule_role_name" {
  description = "The validated rule_role_name, or null."
  value       = var.rule_role_name
}
