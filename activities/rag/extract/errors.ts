/**
 * Why a source could not be turned into text. The codes are stable: the ingestion workflow and the
 * API branch on them (and show them to the tenant), so rename none without migrating their users.
 */
export type ExtractionErrorCode =
  | 'too_large'
  | 'empty_document'
  | 'unsupported_type'
  | 'pdf_encrypted'
  | 'pdf_corrupt'
  | 'docx_corrupt'
  | 'url_invalid'
  | 'url_not_allowed'
  | 'url_redirect_loop'
  | 'url_too_many_redirects'
  | 'url_http_error'
  | 'url_unreachable'
  | 'url_timeout';

/**
 * A failure to read a source. `retryable` is true only when the same request may succeed later
 * (a 5xx, 408 or 429, a timeout, a refused or reset connection): everything else is a property of
 * the source itself and retrying only wastes the tenant's time.
 */
export class ExtractionError extends Error {
  readonly code: ExtractionErrorCode;
  readonly retryable: boolean;
  /** The HTTP status, for `url_http_error`. */
  readonly status?: number;

  constructor(
    code: ExtractionErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExtractionError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.status !== undefined) this.status = options.status;
  }
}

export function isExtractionError(error: unknown, code?: ExtractionErrorCode): error is ExtractionError {
  return error instanceof ExtractionError && (code === undefined || error.code === code);
}
