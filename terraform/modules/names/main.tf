# Internal module: the names the bridge gives its resources, validated once for the module that
# creates them (destination: name_prefix; source: rule_name_prefix, rule_role_name) and for
# terraform/bootstrap, which scopes the deploy roles to them. A name left null is not checked.
# No resources, no provider.
