# One provider configuration per account, as in the root (../providers.tf). This
# configuration is applied once, by hand, with an administrator's credentials in
# each account (docs/deploy.md); afterwards only the roles it creates deploy.

provider "aws" {
  alias   = "source"
  region  = var.source_region
  profile = var.source_profile

  dynamic "assume_role" {
    for_each = var.source_assume_role_arn == null ? [] : [var.source_assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "iot-bridge-bootstrap-source"
    }
  }

  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias   = "destination"
  region  = var.destination_region
  profile = var.destination_profile

  dynamic "assume_role" {
    for_each = var.destination_assume_role_arn == null ? [] : [var.destination_assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "iot-bridge-bootstrap-destination"
    }
  }

  default_tags {
    tags = var.tags
  }
}
