# One provider configuration per account. Credentials come from the usual AWS
# chain (profile, SSO, environment, OIDC in CI); optionally each alias assumes a
# role in its account.

provider "aws" {
  alias   = "source"
  region  = var.source_region
  profile = var.source_profile

  dynamic "assume_role" {
    for_each = var.source_assume_role_arn == null ? [] : [var.source_assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "iot-bridge-source"
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
      session_name = "iot-bridge-destination"
    }
  }

  default_tags {
    tags = var.tags
  }
}
