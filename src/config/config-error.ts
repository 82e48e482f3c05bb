import { CorrgateError, ERR_CONFIG } from '../pipeline/errors.js';

/** Every problem found in a config file at once, each as `path: problem`, so one run shows them all. */
export class ConfigError extends CorrgateError {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(ERR_CONFIG, `invalid configuration in ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
