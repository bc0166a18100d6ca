# Security checks over the *rendered* IAM, queue and key policies of a
# maximal configuration (fan-in, customer KMS key, X-Ray, retain routes):
#   - Allow statements: no wildcard in actions, no Resource "*", except the
#     statements AWS requires that way (allowlist below, also in
#     .ci/checkov/iam_allowlist.json with the reason);
#   - the queue policy admits only the configured source rule roles and denies
#     non-TLS access.
# Run: cd terraform && terraform init -backend=false && terraform test

mock_provider "aws" {
  source = "./tests/mocks/aws"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "222222222222" }
  }

  # both modules in one account here; every queue gets the same ARN
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:222222222222:mock"
      url = "https://sqs.eu-west-1.amazonaws.com/222222222222/mock"
      id  = "https://sqs.eu-west-1.amazonaws.com/222222222222/mock"
    }
  }
}

variables {
  # Statements AWS requires with a wildcard (see .ci/checkov/iam_allowlist.json).
  wildcard_allowlist = ["EnableIamPoliciesOfOwningAccount", "AllowSourceRuleRolesThroughSqs", "XRayTracing"]
}

run "destination_policies" {
  command = apply

  module {
    source = "./modules/destination"
  }

  variables {
    function_zip_path = "tests/fixtures/function.zip"
    sources = [
      { account_id = "111111111111" },
      { account_id = "333333333333", rule_role_name = "plant-b-rule" },
    ]
    routes = [
      { name = "ground", source_filter = "GROUND/v1/#", retain = true },
      { name = "any", source_filter = "#", add_prefix = "mirror/" },
    ]
    create_kms_key = true
    tracing_mode   = "Active"
  }

  assert {
    condition = alltrue(flatten([
      for doc in [output.function_policy_json, output.queue_policy_json, output.kms_key_policy_json] : [
        for s in jsondecode(doc).Statement : [
          for a in flatten([s.Action]) : !strcontains(a, "*")
        ] if s.Effect == "Allow" && !contains(var.wildcard_allowlist, s.Sid)
      ]
    ]))
    error_message = "An Allow statement outside the allowlist has a wildcard action."
  }

  assert {
    condition = alltrue(flatten([
      for doc in [output.function_policy_json, output.queue_policy_json, output.kms_key_policy_json] : [
        for s in jsondecode(doc).Statement : !contains(flatten([s.Resource]), "*") if s.Effect == "Allow" && !contains(var.wildcard_allowlist, s.Sid)
      ]
    ]))
    error_message = "An Allow statement outside the allowlist has Resource \"*\"."
  }

  assert {
    condition = [
      for s in jsondecode(output.queue_policy_json).Statement : {
        principal = s.Principal.AWS
        roles     = s.Condition.ArnEquals["aws:PrincipalArn"]
        action    = s.Action
      } if s.Effect == "Allow"
      ] == [{
        principal = ["arn:aws:iam::111111111111:root", "arn:aws:iam::333333333333:root"]
        roles     = ["arn:aws:iam::111111111111:role/iot-bridge-rule", "arn:aws:iam::333333333333:role/plant-b-rule"]
        action    = "sqs:SendMessage"
    }]
    error_message = "The queue policy must allow only sqs:SendMessage by the configured source rule roles."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(output.queue_policy_json).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Condition == { Bool = { "aws:SecureTransport" = "false" } }
    ])
    error_message = "The queue policy must deny non-TLS access."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(output.kms_key_policy_json).Statement :
      s.Sid == "EnableIamPoliciesOfOwningAccount" ? s.Principal.AWS == "arn:aws:iam::222222222222:root" : s.Condition.ArnEquals["aws:PrincipalArn"] == output.admitted_source_role_arns
    ])
    error_message = "The key policy admits only the owning account (IAM) and the source rule roles."
  }

  assert {
    condition     = contains(jsondecode(output.function_policy_json).Statement[2].Resource, "arn:aws:iot:eu-west-1:222222222222:topic/mirror/*")
    error_message = "A '#' route maps to the prefix wildcard, not to all topics."
  }
}

run "source_policies" {
  command = apply

  module {
    source = "./modules/source"
  }

  variables {
    destination_queue_url   = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
    destination_queue_arn   = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
    destination_kms_key_arn = "arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-0000-0000-000000000000"
    routes                  = [{ name = "ground", source_filter = "GROUND/v1/#" }]
  }

  assert {
    condition = alltrue(flatten([
      for doc in [output.rule_role_policy_json, output.error_action_policy_json] : [
        for s in jsondecode(doc).Statement : [
          for a in flatten([s.Action]) : !strcontains(a, "*")
        ]
      ]
    ]))
    error_message = "The source roles must not have wildcard actions."
  }

  assert {
    condition = alltrue(flatten([
      for doc in [output.rule_role_policy_json, output.error_action_policy_json] : [
        for s in jsondecode(doc).Statement : !contains(flatten([s.Resource]), "*")
      ]
    ]))
    error_message = "The source roles must not have Resource \"*\"."
  }

  assert {
    condition     = jsondecode(output.rule_role_trust_policy_json).Statement[0].Principal == { Service = "iot.amazonaws.com" }
    error_message = "Only IoT may assume the rule role."
  }
}
