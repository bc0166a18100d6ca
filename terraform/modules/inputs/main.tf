# Internal module: the inputs the source and destination modules share, typed and
# validated once. Each of them passes its own `routes` and `permissions_boundary`
# through this module and uses its outputs, so a route or boundary one module accepts
# the other accepts too. No resources, no provider.
