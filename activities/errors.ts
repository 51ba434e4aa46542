/**
 * A business error: retrying cannot help (invalid number, opted out, template rejected, a 4xx).
 * Activities turn it into a non-retryable ApplicationFailure with `type`; the run takes the node's
 * failure output.
 */
export class BusinessError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'BusinessError';
  }
}
