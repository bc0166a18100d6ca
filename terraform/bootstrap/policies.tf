# The permission policies of the four roles and the two permissions boundaries.
# Written for what the AWS provider calls when it plans, applies and destroys the
# root configuration; terraform/tests/e2e records those calls on the emulator and
# checks them against these documents (recorded-calls/, make e2e-terraform).
#
# Resource "*" appears only on actions that AWS documents without resource-level
# permissions (Service Authorization Reference: the action lists no resource type);
# each such statement says so.

locals {
  state_object_arn = "arn:${local.partition}:s3:::${var.state_bucket}/${var.state_key}"

  # --------------------------------------------------------- destination ---
  destination_read_statements = concat(
    [
      {
        Sid      = "ReadState"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = local.state_object_arn
      },
      {
        Sid       = "ListStateKey"
        Effect    = "Allow"
        Action    = "s3:ListBucket"
        Resource  = "arn:${local.partition}:s3:::${var.state_bucket}"
        Condition = { StringLike = { "s3:prefix" = [var.state_key, "${var.state_key}.tflock"] } }
      },
      {
        Sid      = "ReadQueues"
        Effect   = "Allow"
        Action   = ["sqs:GetQueueAttributes", "sqs:ListQueueTags"]
        Resource = local.bridge.queue_arns
      },
      {
        Sid      = "ReadFunction"
        Effect   = "Allow"
        Action   = ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction", "lambda:GetAlias"]
        Resource = local.bridge.function_arns
      },
      {
        # The mapping's UUID is random. No lambda:FunctionArn condition: after the delete the
        # provider reads the mapping until it is gone, and a mapping that no longer exists has
        # no function to match (AccessDenied there would fail the destroy). Mapping metadata
        # only; Update/Delete below keep the condition.
        Sid      = "ReadEventSourceMapping"
        Effect   = "Allow"
        Action   = ["lambda:GetEventSourceMapping", "lambda:ListTags"]
        Resource = local.bridge.esm_arns
      },
      {
        Sid      = "ReadAlarms"
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]
        Resource = local.bridge.alarm_arns
      },
      {
        # iot:DescribeEndpoint lists no resource type in the Service Authorization Reference.
        Sid      = "NoResourceLevelReads"
        Effect   = "Allow"
        Action   = "iot:DescribeEndpoint"
        Resource = "*"
      },
    ],
    [for s in [
      {
        # The key's ID is random: the statement names the account's keys in this region,
        # and grants metadata only (no Decrypt, no GenerateDataKey).
        Sid      = "ReadQueueKey"
        Effect   = "Allow"
        Action   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
        Resource = local.bridge.kms_key_arns
      },
      {
        # kms:ListAliases lists no resource type in the Service Authorization Reference.
        Sid      = "ListKeyAliases"
        Effect   = "Allow"
        Action   = "kms:ListAliases"
        Resource = "*"
      },
    ] : s if var.create_kms_key],
    local.side_read_statements["destination"],
  )

  destination_plan_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.destination_read_statements, [
      {
        Sid      = "AssumeSourcePlanRole"
        Effect   = "Allow"
        Action   = "sts:AssumeRole"
        Resource = local.source_plan_role_arn
      },
    ])
  })

  destination_deploy_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.destination_read_statements, [
      {
        Sid      = "AssumeSourceDeployRole"
        Effect   = "Allow"
        Action   = "sts:AssumeRole"
        Resource = local.source_deploy_role_arn
      },
      {
        # S3 lock file (use_lockfile): written, read on conflict, deleted on unlock.
        Sid      = "WriteStateAndLock"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
        Resource = [local.state_object_arn, "${local.state_object_arn}.tflock"]
      },
      {
        Sid      = "ManageQueues"
        Effect   = "Allow"
        Action   = ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"]
        Resource = local.bridge.queue_arns
      },
      {
        Sid    = "ManageFunction"
        Effect = "Allow"
        Action = [
          # GetFunctionConfiguration: the provider waits on it for an update to finish
          "lambda:GetFunctionConfiguration",
          "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
          "lambda:PublishVersion", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
          "lambda:CreateAlias", "lambda:UpdateAlias", "lambda:DeleteAlias", "lambda:TagResource", "lambda:UntagResource",
        ]
        Resource = local.bridge.function_arns
      },
      {
        # CreateEventSourceMapping lists no resource type (the mapping does not exist yet);
        # lambda:FunctionArn limits it to mappings that invoke the bridge's function.
        Sid       = "CreateEventSourceMapping"
        Effect    = "Allow"
        Action    = "lambda:CreateEventSourceMapping"
        Resource  = "*"
        Condition = { ArnLike = { "lambda:FunctionArn" = local.bridge.function_arns } }
      },
      {
        Sid       = "ManageEventSourceMapping"
        Effect    = "Allow"
        Action    = ["lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"]
        Resource  = local.bridge.esm_arns
        Condition = { ArnLike = { "lambda:FunctionArn" = local.bridge.function_arns } }
      },
      {
        # Lambda tags a mapping created with tags through lambda:TagResource on the mapping's
        # own ARN, which is unknown before it exists ("Using tags on event source mappings").
        Sid      = "TagEventSourceMapping"
        Effect   = "Allow"
        Action   = ["lambda:TagResource", "lambda:UntagResource"]
        Resource = local.bridge.esm_arns
      },
      {
        Sid      = "ManageAlarms"
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
        Resource = local.bridge.alarm_arns
      },
      ],
      [for s in [
        {
          # kms:CreateKey lists no resource type (the key does not exist yet); a key created
          # with tags also needs kms:TagResource, evaluated before the key has an ARN.
          Sid      = "CreateQueueKey"
          Effect   = "Allow"
          Action   = ["kms:CreateKey", "kms:TagResource"]
          Resource = "*"
        },
        {
          Sid    = "ManageQueueKey"
          Effect = "Allow"
          Action = [
            "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion",
            "kms:TagResource", "kms:UntagResource", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
          ]
          Resource = local.bridge.kms_key_arns
        },
        {
          Sid      = "ManageQueueKeyAlias"
          Effect   = "Allow"
          Action   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
          Resource = local.bridge.kms_alias_arn
        },
      ] : s if var.create_kms_key],
      [for s in [
        {
          Sid      = "StateLockTable"
          Effect   = "Allow"
          Action   = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
          Resource = "arn:${format(local.d, "dynamodb")}:table/${coalesce(var.state_lock_table, "-")}"
        },
      ] : s if var.state_lock_table != null],
      local.side_write_statements["destination"],
      local.guard_statements["destination"],
    )
  })

  # -------------------------------------------------------------- source ---
  source_read_statements = concat([
    {
      Sid      = "ReadTopicRules"
      Effect   = "Allow"
      Action   = ["iot:GetTopicRule", "iot:ListTagsForResource"]
      Resource = local.bridge.rule_arns
    },
    {
      # iot:ListTopicRules lists no resource type in the Service Authorization Reference
      # (rule names only; the provider looks its rules up in the list).
      Sid      = "ListTopicRules"
      Effect   = "Allow"
      Action   = "iot:ListTopicRules"
      Resource = "*"
    },
  ], local.side_read_statements["source"])

  source_plan_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.source_read_statements
  })

  source_deploy_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.source_read_statements, [
      {
        Sid    = "ManageTopicRules"
        Effect = "Allow"
        Action = [
          # no Enable/DisableTopicRule: the root always creates its rules enabled
          "iot:CreateTopicRule", "iot:ReplaceTopicRule", "iot:DeleteTopicRule", "iot:TagResource", "iot:UntagResource",
        ]
        Resource = local.bridge.rule_arns
      },
    ], local.side_write_statements["source"], local.guard_statements["source"])
  })

  # --------------------------------- the bridge's roles and log group (both) ---
  # Each account has the bridge's roles (destination: the function role, passed to Lambda;
  # source: the rule roles, passed to IoT) and one log group of the bridge.
  sides = {
    destination = {
      roles     = [local.bridge.function_role_arn]
      boundary  = local.destination_boundary_arn
      passed_to = "lambda.amazonaws.com"
      log_group = local.bridge.function_log_group
      logs      = "arn:${format(local.d, "logs")}"
    }
    source = {
      roles     = local.bridge.rule_role_arns
      boundary  = local.source_boundary_arn
      passed_to = "iot.amazonaws.com"
      log_group = local.bridge.rule_error_log_group
      logs      = "arn:${format(local.s, "logs")}"
    }
  }

  side_read_statements = { for side, x in local.sides : side => [
    {
      Sid      = "ReadBridgeRoles"
      Effect   = "Allow"
      Action   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
      Resource = x.roles
    },
    {
      Sid      = "ReadLogGroup"
      Effect   = "Allow"
      Action   = "logs:ListTagsForResource"
      Resource = [x.log_group, "${x.log_group}:*"]
    },
    {
      # DescribeLogGroups is authorized on the account's log-group:* (a list of names and
      # settings; the provider finds the group by prefix).
      Sid      = "ListLogGroups"
      Effect   = "Allow"
      Action   = "logs:DescribeLogGroups"
      Resource = "${x.logs}:log-group:*"
    },
  ] }

  side_write_statements = { for side, x in local.sides : side => [
    {
      Sid       = "CreateBridgeRolesWithBoundary"
      Effect    = "Allow"
      Action    = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
      Resource  = x.roles
      Condition = { StringEquals = { "iam:PermissionsBoundary" = x.boundary } }
    },
    {
      Sid    = "ManageBridgeRoles"
      Effect = "Allow"
      Action = [
        "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
        "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:ListInstanceProfilesForRole",
      ]
      Resource = x.roles
    },
    {
      Sid       = "PassBridgeRoles"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = x.roles
      Condition = { StringEquals = { "iam:PassedToService" = x.passed_to } }
    },
    {
      Sid    = "ManageLogGroup"
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
        "logs:TagResource", "logs:UntagResource",
      ]
      Resource = [x.log_group, "${x.log_group}:*"]
    },
  ] }

  # ------------------------------------------------ guards (both accounts) ---
  # Explicit denies: whatever an Allow above matches, a deploy role can neither loosen
  # the boundary, nor take it off a role, nor touch the roles of this configuration.
  guard_statements = {
    for side, account_iam in { destination = local.destination_iam, source = local.source_iam } : side => [
      {
        Sid      = "DenyChangingTheBoundary"
        Effect   = "Deny"
        Action   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"]
        Resource = "${account_iam}:policy/${local.boundary_name}"
      },
      {
        Sid      = "DenyRemovingBoundaries"
        Effect   = "Deny"
        Action   = "iam:DeleteRolePermissionsBoundary"
        Resource = "${account_iam}:role/*"
      },
      {
        Sid      = "DenyChangingDeployRoles"
        Effect   = "Deny"
        Action   = "iam:*"
        Resource = "${account_iam}:role/${var.role_name_prefix}-*"
      },
      {
        Sid      = "NeverAttachManagedPolicies"
        Effect   = "Deny"
        Action   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
        Resource = "${account_iam}:role/*"
      },
    ]
  }

  # ------------------------------------------------ permissions boundaries ---
  # The most the function role (destination) and the rule roles (source) can ever do,
  # whatever inline policy a deploy role writes: the modules' policies are narrower.
  destination_boundary_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ConsumeBridgeQueue"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
        Resource = local.bridge.queue_arn
      },
      {
        Sid      = "QuarantineToDlq"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = local.bridge.dlq_arn
      },
      {
        # Routes decide the topics (the function role's policy lists them); the boundary
        # keeps them in this account and region.
        Sid      = "PublishInThisAccount"
        Effect   = "Allow"
        Action   = ["iot:Publish", "iot:RetainPublish"]
        Resource = local.bridge.topic_arns
      },
      {
        Sid      = "NeverReservedTopics"
        Effect   = "Deny"
        Action   = ["iot:Publish", "iot:RetainPublish"]
        Resource = local.bridge.reserved_topic_arns
      },
      {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.bridge.function_log_group}:*"
      },
      {
        Sid       = "QueueKeyThroughSqs"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = local.bridge.kms_key_arns
        Condition = { StringEquals = { "kms:ViaService" = "sqs.${var.destination_region}.amazonaws.com" } }
      },
      {
        # X-Ray has no resource-level permissions (tracing_mode = "Active").
        Sid      = "XRayTracing"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
    ]
  })

  source_boundary_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "SendToBridgeQueue"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = local.bridge.queue_arn
      },
      {
        Sid       = "EncryptForBridgeQueue"
        Effect    = "Allow"
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = local.bridge.kms_key_arns
        Condition = { StringEquals = { "kms:ViaService" = "sqs.${var.destination_region}.amazonaws.com" } }
      },
      {
        Sid      = "WriteRuleErrors"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
        Resource = "${local.bridge.rule_error_log_group}:*"
      },
    ]
  })
}
