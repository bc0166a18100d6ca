variable "routes" {
  description = "Routes to bridge (docs/interfaces.md#routes): the one typed and validated definition of the route contract in Terraform, with its defaults."
  type = list(object({
    name          = string
    source_filter = string
    condition     = optional(string, "")
    strip_prefix  = optional(string, "")
    add_prefix    = optional(string, "")
    qos           = optional(number, 1)
    retain        = optional(bool, false)
  }))
  nullable = false

  validation {
    condition     = length(var.routes) > 0
    error_message = "At least one route is required."
  }
  validation {
    condition     = alltrue([for r in var.routes : can(regex("^[A-Za-z0-9_]+$", r.name)) && length(r.name) <= 64])
    error_message = "Route names must match ^[A-Za-z0-9_]+$ (at most 64 characters)."
  }
  validation {
    condition     = length(distinct([for r in var.routes : r.name])) == length(var.routes)
    error_message = "Route names must be unique."
  }
  validation {
    condition = alltrue([for r in var.routes : (
      length(r.source_filter) > 0 && length(r.source_filter) <= 256 &&
      length(split("/", r.source_filter)) <= 8 &&
      !startswith(r.source_filter, "$") &&
      length(regexall("['\\p{Cc}]", r.source_filter)) == 0 &&
      alltrue([for i, level in split("/", r.source_filter) : (
        level == "#" ? i == length(split("/", r.source_filter)) - 1 : (level == "+" || length(regexall("[#+]", level)) == 0)
      )])
    )])
    error_message = "Each source_filter must be a valid AWS IoT topic filter: not empty, at most 256 characters and 8 levels (7 '/'), not starting with '$', no quote or control character, '+' only as a whole level, '#' only as the whole last level."
  }
  validation {
    condition = alltrue([for r in var.routes : (
      startswith(r.source_filter, r.strip_prefix) && length(regexall("[#+]", r.strip_prefix)) == 0
    )])
    error_message = "Each strip_prefix must be a literal prefix of its route's source_filter (no '+' or '#')."
  }
  validation {
    condition     = alltrue([for r in var.routes : length(regexall("[#+\\p{Cc}]", r.add_prefix)) == 0 && !startswith(r.add_prefix, "$")])
    error_message = "add_prefix must not contain '+', '#' or a control character (U+0000-U+001F, U+007F-U+009F) and must not start with '$'."
  }
  validation {
    condition     = alltrue([for r in var.routes : contains([0, 1], r.qos)])
    error_message = "qos must be 0 or 1."
  }
}

variable "permissions_boundary" {
  description = "ARN of an IAM policy to set as permissions boundary on every IAM role, or null for none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary))
    error_message = "permissions_boundary must be an IAM policy ARN (arn:aws:iam::ACCOUNT_ID:policy/NAME, or arn:aws:iam::aws:policy/NAME for an AWS managed policy), or null."
  }
}
