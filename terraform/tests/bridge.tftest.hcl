# Root module wiring with mocked AWS providers (no credentials, no network).
# Run: cd terraform && terraform init -backend=false && terraform test

mock_provider "aws" {
  alias  = "source"
  source = "./tests/mocks/aws"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "111111111111" }
  }
}

mock_provider "aws" {
  alias  = "destination"
  source = "./tests/mocks/aws"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "222222222222" }
  }
}

override_resource {
  target = module.destination.aws_sqs_queue.main
  values = {
    arn  = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
    url  = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
    id   = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
    name = "iot-bridge"
  }
}

override_resource {
  target = module.destination.aws_sqs_queue.dlq
  values = {
    arn  = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge-dlq"
    url  = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge-dlq"
    id   = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge-dlq"
    name = "iot-bridge-dlq"
  }
}

variables {
  source_region      = "eu-west-1"
  destination_region = "eu-west-1"
  function_zip_path  = "tests/fixtures/function.zip"
  routes = [
    {
      name          = "ground"
      source_filter = "GROUND/v1/#"
    },
    {
      name          = "hot"
      source_filter = "SITE/+/temp"
      condition     = "temperature > 50"
      strip_prefix  = "SITE/"
      add_prefix    = "CLOUD/sites/"
      qos           = 0
      retain        = true
    },
  ]
}

run "rule_sql_is_rendered_from_the_template" {
  command = apply

  assert {
    condition = module.source.rule_sql["ground"] == join("\n", [
      "SELECT",
      "  1 AS v,",
      "  'ground' AS route,",
      "  topic() AS topic,",
      "  encode(*, 'base64') AS payload,",
      "  timestamp() AS ts,",
      "  clientid() AS clientId,",
      "  get_mqtt_property('content_type') AS contentType,",
      "  get_mqtt_property('format_indicator') AS payloadFormatIndicator,",
      "  get_mqtt_property('response_topic') AS responseTopic,",
      "  get_mqtt_property('correlation_data') AS correlationData,",
      "  get_user_properties() AS userProperties",
      "FROM 'GROUND/v1/#'",
      "WHERE isUndefined(get(get_user_properties('iot-bridge-hop'), 0))",
    ])
    error_message = "The ground rule SQL differs from envelope v1 (docs/envelope.md)."
  }

  assert {
    condition     = endswith(module.source.rule_sql["hot"], "WHERE isUndefined(get(get_user_properties('iot-bridge-hop'), 0)) AND (temperature > 50)")
    error_message = "A route condition must be ANDed after the hop check."
  }

  assert {
    condition     = strcontains(module.source.rule_sql["hot"], "FROM 'SITE/+/temp'")
    error_message = "The FROM clause must be the route's source_filter."
  }

  assert {
    condition     = module.source.rule_names == { ground = "iot_bridge_ground", hot = "iot_bridge_hot" }
    error_message = "Rule names must be <rule_name_prefix>_<route>."
  }
}

run "source_rules_send_to_the_destination_queue" {
  command = apply

  assert {
    condition     = jsondecode(module.source.rule_role_policy_json).Statement[0].Resource == "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
    error_message = "The rule role must be allowed to send to exactly the destination queue."
  }

  assert {
    condition     = jsondecode(module.source.rule_role_policy_json).Statement[0].Action == "sqs:SendMessage"
    error_message = "The rule role may only sqs:SendMessage."
  }

  assert {
    condition = module.destination.publish_topic_arns == sort([
      "arn:aws:iot:eu-west-1:222222222222:topic/GROUND/v1/*",
      "arn:aws:iot:eu-west-1:222222222222:topic/GROUND/v1",
      "arn:aws:iot:eu-west-1:222222222222:topic/CLOUD/sites/*/temp",
    ])
    error_message = "iot:Publish must be limited to the routes' destination topics."
  }
}

run "function_environment_and_runtime" {
  command = apply

  assert {
    condition     = module.destination.function_name == "iot-bridge-publisher"
    error_message = "Unexpected function name."
  }

  assert {
    condition     = output.queue_url == "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
    error_message = "queue_url output must come from the destination queue."
  }

  assert {
    condition     = module.destination.admitted_source_role_arns == ["arn:aws:iam::111111111111:role/iot-bridge-rule"]
    error_message = "The destination must admit exactly the source account's rule role."
  }
}

run "jvm_runtime_uses_snapstart" {
  command = apply

  variables {
    runtime      = "jvm"
    architecture = "arm64"
  }

  assert {
    condition     = module.destination.function_name == "iot-bridge-publisher"
    error_message = "Unexpected function name."
  }
}

# Invalid routes are rejected by modules/inputs, which both modules use: see tests/inputs.tftest.hcl.
