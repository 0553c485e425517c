/**
 * The park switch as the synthesized analytics stack spells it (docs/cost.md, "Parking an idle
 * environment"). The stack defines the local from the SSM parameter `Naming.parkParameter`;
 * resources that park carry `count = PARKED_COUNT`, the trigger's event source mapping
 * `enabled = PARKED_ENABLED`. The cost estimator recognises these exact expressions, so it can
 * price a stack both ways without evaluating Terraform.
 */
export const PARKED_LOCAL = 'xetl_parked';
/** `count` of a resource that exists only while the environment is not parked. */
export const PARKED_COUNT = `\${local.${PARKED_LOCAL} ? 0 : 1}`;
/** `enabled` of what pauses while parked (the trigger's event source mapping). */
export const PARKED_ENABLED = `\${local.${PARKED_LOCAL} ? false : true}`;
