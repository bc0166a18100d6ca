# The names the bridge gives its resources (modules/names), validated once for the module that
# creates the resources and for the bootstrap, which scopes the deploy roles to them.
# Run: cd terraform && terraform init -backend=false && terraform test

run "accepts_the_defaults_and_longest_names" {
  command = plan
  module {
    source = "./modules/names"
  }
  variables {
    name_prefix      = "n234567890123456789012345678901234567890"
    rule_name_prefix = "p234567890123456789012345678901234567890123456789012345678901234"
    # the error action role <name>-errors is then exactly 64 characters, IAM's limit
    rule_role_name = "r23456789012345678901234567890123456789012345678901234567"
  }
  assert {
    condition     = output.rule_role_name == "r23456789012345678901234567890123456789012345678901234567"
    error_message = "A valid name passes through unchanged."
  }
}

run "leaves_a_name_not_given_unchecked" {
  command = plan
  module {
    source = "./modules/names"
  }
  assert {
    condition     = output.name_prefix == null && output.rule_name_prefix == null && output.rule_role_name == null
    error_message = "A module passes only the names it uses; the others stay null."
  }
}

run "rejects_a_name_prefix_over_40_characters" {
  command = plan
  module {
    source = "./modules/names"
  }
  variables {
    name_prefix = "n2345678901234567890123456789012345678901"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_a_hyphen_in_a_rule_name_prefix" {
  command = plan
  module {
    source = "./modules/names"
  }
  variables {
    rule_name_prefix = "iot-bridge"
  }
  expect_failures = [var.rule_name_prefix]
}

run "rejects_a_rule_role_name_whose_error_role_exceeds_64" {
  command = plan
  module {
    source = "./modules/names"
  }
  variables {
    rule_role_name = "r234567890123456789012345678901234567890123456789012345678"
  }
  expect_failures = [var.rule_role_name]
}
