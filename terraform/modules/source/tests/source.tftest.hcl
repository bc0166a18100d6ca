# Source module: SQL rendering, rule wiring, IAM contents, input validation.
# Run: cd terraform/modules/source && terraform init -backend=false && terraform test

mock_provider "aws" {
  source = "../../tests/mocks/aws"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "111111111111" }
  }
}

variables {
  destination_queue_url = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
  destination_queue_arn = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
  routes = [
    { name = "ground", source_filter = "GROUND/v1/#" },
    { name = "alarms", source_filter = "SITE/+/alarm", condition = "severity >= 3" },
  ]
}

run "one_rule_per_route_with_sqs_action" {
  command = apply

  assert {
    condition     = length(aws_iot_topic_rule.route) == 2
    error_message = "Expected one topic rule per route."
  }

  assert {
    condition     = aws_iot_topic_rule.route["ground"].name == "iot_bridge_ground" && aws_iot_topic_rule.route["ground"].enabled
    error_message = "Rule name must be iot_bridge_<route> and enabled."
  }

  assert {
    condition     = alltrue([for r in aws_iot_topic_rule.route : r.sql_version == "2016-03-23"])
    error_message = "sql_version must be 2016-03-23 (encode/isUndefined)."
  }

  assert {
    condition = alltrue([for r in aws_iot_topic_rule.route : one([for a in r.sqs : (
      a.queue_url == var.destination_queue_url && a.use_base64 == false && a.role_arn == aws_iam_role.rule.arn
    )])])
    error_message = "Each rule must send its JSON output (use_base64 = false) to the destination queue with the rule role."
  }

  assert {
    condition     = alltrue([for r in aws_iot_topic_rule.route : r.error_action[0].cloudwatch_logs[0].log_group_name == aws_cloudwatch_log_group.errors.name])
    error_message = "Each rule must have the CloudWatch Logs error action."
  }

  assert {
    condition     = aws_cloudwatch_log_group.errors.retention_in_days == 365
    error_message = "The error log group must have a retention."
  }
}

run "sql_follows_the_template" {
  command = plan

  assert {
    condition     = startswith(aws_iot_topic_rule.route["ground"].sql, "SELECT\n  1 AS v,\n  'ground' AS route,\n  topic() AS topic,\n  encode(*, 'base64') AS payload,")
    error_message = "Envelope v1 fields must come first, as in the template."
  }

  assert {
    condition     = endswith(aws_iot_topic_rule.route["ground"].sql, "FROM 'GROUND/v1/#'\nWHERE isUndefined(get(get_user_properties('iot-bridge-hop'), 0))")
    error_message = "Without a condition the WHERE is only the hop check."
  }

  assert {
    condition     = endswith(aws_iot_topic_rule.route["alarms"].sql, "FROM 'SITE/+/alarm'\nWHERE isUndefined(get(get_user_properties('iot-bridge-hop'), 0)) AND (severity >= 3)")
    error_message = "A condition is ANDed, in parentheses, after the hop check."
  }

  # The same files are what the local stack's renderer must produce (local RuleSqlTest):
  # Terraform and the local rules engine cannot drift apart.
  assert {
    condition     = aws_iot_topic_rule.route["ground"].sql == trimspace(file("${path.module}/tests/rendered/ground.sql"))
    error_message = "Rendered SQL for route ground differs from tests/rendered/ground.sql (shared with the local stack)."
  }

  assert {
    condition     = aws_iot_topic_rule.route["alarms"].sql == trimspace(file("${path.module}/tests/rendered/alarms.sql"))
    error_message = "Rendered SQL for route alarms differs from tests/rendered/alarms.sql (shared with the local stack)."
  }

  assert {
    condition     = aws_iot_topic_rule.route["ground"].sql == output.rule_sql["ground"]
    error_message = "The rule_sql output must be what the rule uses."
  }
}

run "rule_role_is_least_privilege" {
  command = apply

  assert {
    condition     = jsondecode(aws_iam_role.rule.assume_role_policy).Statement[0].Principal == { Service = "iot.amazonaws.com" }
    error_message = "Only iot.amazonaws.com may assume the rule role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.rule.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111111111111"
    error_message = "The trust policy must pin aws:SourceAccount."
  }

  assert {
    condition = toset(jsondecode(aws_iam_role.rule.assume_role_policy).Statement[0].Condition.ArnLike["aws:SourceArn"]) == toset([
      "arn:aws:iot:eu-west-1:111111111111:rule/iot_bridge_ground",
      "arn:aws:iot:eu-west-1:111111111111:rule/iot_bridge_alarms",
    ])
    error_message = "The trust policy must pin aws:SourceArn to this module's rules."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.rule.policy).Statement == [{
      Sid      = "SendToBridgeQueue"
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
    }]
    error_message = "The rule role may only send to the destination queue."
  }
}

run "kms_permissions_only_with_a_customer_key" {
  command = apply

  variables {
    destination_kms_key_arn = "arn:aws:kms:eu-west-1:222222222222:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.rule.policy).Statement[1] == {
      Sid      = "EncryptForBridgeQueue"
      Effect   = "Allow"
      Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource = "arn:aws:kms:eu-west-1:222222222222:key/11111111-2222-3333-4444-555555555555"
    }
    error_message = "With a customer key the rule role gets GenerateDataKey/Decrypt on that key only."
  }
}

run "accepts_queue_urls_of_any_sqs_endpoint" {
  command = plan

  # The regional endpoint is the default of the variables block; these are the others.
  variables {
    destination_queue_url = "https://sqs-fips.us-east-1.amazonaws.com/222222222222/iot-bridge"
  }
}

run "accepts_a_vpc_endpoint_queue_url" {
  command = plan
  variables {
    destination_queue_url = "https://vpce-0123456789abcdef0-abcdefgh.sqs.eu-west-1.vpce.amazonaws.com/222222222222/iot-bridge"
  }
}

run "accepts_an_emulator_queue_url" {
  command = plan
  variables {
    destination_queue_url = "http://127.0.0.1:4566/222222222222/iot_bridge-1"
  }
}

run "accepts_the_legacy_queue_url_form" {
  command = plan
  variables {
    destination_queue_url = "https://eu-west-1.queue.amazonaws.com/222222222222/iot-bridge"
  }
}

run "rejects_queue_url_without_account" {
  command = plan
  variables {
    destination_queue_url = "https://sqs.eu-west-1.amazonaws.com/iot-bridge"
  }
  expect_failures = [var.destination_queue_url]
}

run "rejects_queue_url_with_short_account" {
  command = plan
  variables {
    destination_queue_url = "https://sqs.eu-west-1.amazonaws.com/2222/iot-bridge"
  }
  expect_failures = [var.destination_queue_url]
}

run "rejects_queue_url_with_trailing_slash" {
  command = plan
  variables {
    destination_queue_url = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge/"
  }
  expect_failures = [var.destination_queue_url]
}

run "rejects_queue_url_of_another_scheme" {
  command = plan
  variables {
    destination_queue_url = "sqs://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
  }
  expect_failures = [var.destination_queue_url]
}

run "rejects_a_queue_arn_as_url" {
  command = plan
  variables {
    destination_queue_url = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
  }
  expect_failures = [var.destination_queue_url]
}

# --------------------------------------------------------- plan-time limits ---

run "accepts_a_rule_name_of_exactly_128_characters" {
  command = plan
  variables {
    # 64 + "_" + 63 = 128
    rule_name_prefix = "p234567890123456789012345678901234567890123456789012345678901234"
    routes           = [{ name = "r23456789012345678901234567890123456789012345678901234567890123", source_filter = "a/b" }]
  }
}

run "rejects_a_rule_name_over_128_characters" {
  command = plan
  variables {
    # 64 + "_" + 64 = 129
    rule_name_prefix = "p234567890123456789012345678901234567890123456789012345678901234"
    routes           = [{ name = "r234567890123456789012345678901234567890123456789012345678901234", source_filter = "a/b" }]
  }
  expect_failures = [aws_iot_topic_rule.route]
}

run "accepts_a_rule_role_name_of_57_characters" {
  command = plan
  variables {
    rule_role_name = "r23456789012345678901234567890123456789012345678901234567"
  }
  assert {
    condition     = length(aws_iam_role.error_action.name) == 64
    error_message = "The error action role name must be <rule_role_name>-errors (64 characters here)."
  }
}


# ------------------------------------------------------- permissions boundary ---

run "no_permissions_boundary_by_default" {
  command = plan

  assert {
    condition     = aws_iam_role.rule.permissions_boundary == null && aws_iam_role.error_action.permissions_boundary == null
    error_message = "Without permissions_boundary no role carries a boundary."
  }
}

run "permissions_boundary_on_every_role" {
  command = plan

  variables {
    permissions_boundary = "arn:aws:iam::111111111111:policy/iot-bridge-boundary"
  }

  assert {
    condition = alltrue([
      for r in [aws_iam_role.rule, aws_iam_role.error_action] : r.permissions_boundary == "arn:aws:iam::111111111111:policy/iot-bridge-boundary"
    ])
    error_message = "Every role the module creates must carry the permissions boundary."
  }
}
