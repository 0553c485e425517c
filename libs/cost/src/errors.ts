/** A problem with the estimator's input (snapshot, synthesized stacks, assumptions), in one line with the fix. */
export class CostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostError';
  }
}
