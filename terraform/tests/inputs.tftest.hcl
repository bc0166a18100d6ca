# The inputs both modules share (modules/inputs): the route contract and the permissions
# boundary, typed, defaulted and validated once. The source and destination modules pass
# their inputs through it, so what is rejected here is rejected by both.
# Run: cd terraform && terraform init -backend=false && terraform test

variables {
  routes = [{ name = "ground", source_filter = "GROUND/v1/#" }]
}

run "fills_in_the_route_defaults" {
  command = plan

  module {
    source = "./modules/inputs"
  }

  variables {
    routes = [
      { name = "ground", source_filter = "GROUND/v1/#" },
      { name = "cmd", source_filter = "SITE/+/cmd", strip_prefix = "SITE/", add_prefix = "CLOUD/", qos = 0, retain = true },
    ]
  }

  assert {
    condition = jsonencode(output.routes) == jsonencode([
      { name = "ground", source_filter = "GROUND/v1/#", condition = "", strip_prefix = "", add_prefix = "", qos = 1, retain = false },
      { name = "cmd", source_filter = "SITE/+/cmd", condition = "", strip_prefix = "SITE/", add_prefix = "CLOUD/", qos = 0, retain = true },
    ])
    error_message = "Every route key of docs/interfaces.md must be filled in with its default."
  }

  assert {
    condition     = output.permissions_boundary == null
    error_message = "No permissions boundary by default."
  }
}

run "rejects_bad_route_name" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "bad-name", source_filter = "a/b" }]
  }
  expect_failures = [var.routes]
}

run "rejects_duplicate_route_names" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/b" }, { name = "a", source_filter = "c/d" }]
  }
  expect_failures = [var.routes]
}

run "rejects_hash_not_last" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/#/b" }]
  }
  expect_failures = [var.routes]
}

run "rejects_partial_plus" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/b+/c" }]
  }
  expect_failures = [var.routes]
}

run "rejects_dollar_topics" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "$aws/things/#" }]
  }
  expect_failures = [var.routes]
}

run "rejects_strip_prefix_outside_filter" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "GROUND/v1/#", strip_prefix = "AIR/" }]
  }
  expect_failures = [var.routes]
}

run "rejects_qos_2" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/b", qos = 2 }]
  }
  expect_failures = [var.routes]
}

run "accepts_an_aws_managed_permissions_boundary" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    permissions_boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
  }
}

run "rejects_a_permissions_boundary_that_is_not_a_policy_arn" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    permissions_boundary = "arn:aws:iam::111111111111:role/iot-bridge-boundary"
  }
  expect_failures = [var.permissions_boundary]
}

run "rejects_no_route" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = []
  }
  expect_failures = [var.routes]
}

run "rejects_a_route_name_over_64_characters" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", source_filter = "a/b" }]
  }
  expect_failures = [var.routes]
}

run "rejects_a_filter_over_256_characters" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]
  }
  expect_failures = [var.routes]
}

run "rejects_a_quote_in_a_filter" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/'b" }]
  }
  expect_failures = [var.routes]
}

run "rejects_a_wildcard_in_strip_prefix" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/+/c", strip_prefix = "a/+/" }]
  }
  expect_failures = [var.routes]
}

run "rejects_a_wildcard_in_add_prefix" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/b", add_prefix = "x/#/" }]
  }
  expect_failures = [var.routes]
}

run "rejects_a_dollar_add_prefix" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "a/b", add_prefix = "$aws/" }]
  }
  expect_failures = [var.routes]
}

run "rejects_a_filter_of_more_than_8_levels" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "1/2/3/4/5/6/7/8/9" }]
  }
  expect_failures = [var.routes]
}

run "accepts_a_filter_of_8_levels" {
  command = plan
  module {
    source = "./modules/inputs"
  }
  variables {
    routes = [{ name = "a", source_filter = "1/2/3/4/5/6/7/#" }]
  }
}
