/** The W&B dialect's top-level keys: those W&B has and we ignore, and those that make a file W&B's. */

/** W&B keys that do not apply here: accepted and ignored with a warning. */
export const WANDB_IGNORED = [
  'program',
  'command',
  'project',
  'entity',
  'description',
  'controller',
  'kind',
  'apiVersion',
  'job',
  'image_uri',
  'scheduler',
  'metrics',
] as const;
/** Keys only a W&B file has: one of them (or `method: bayes`) makes a file W&B's. */
export const WANDB_ONLY: readonly string[] = [...WANDB_IGNORED, 'run_cap'];
