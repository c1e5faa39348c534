/**
 * API errors are RFC 9457 problem details with a stable `code` (see the backend's
 * bankingsystem/errors.py). The generated schema lists success bodies only, so this shape is
 * written here once; every screen shows `detail` in words and maps `errors` onto form fields.
 */
export type ProblemBody = {
  type?: string;
  title?: string;
  status: number;
  detail: string;
  code: string;
  errors?: Record<string, string[]>;
  [extra: string]: unknown;
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: ProblemBody;

  constructor(problem: ProblemBody) {
    super(problem.detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }

  /** Messages per form field (dotted names as the API sends them), without non_field_errors. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, messages] of Object.entries(this.problem.errors ?? {})) {
      if (field !== 'non_field_errors' && messages[0]) out[field] = messages[0];
    }
    return out;
  }
}

function isProblem(body: unknown): body is ProblemBody {
  return typeof body === 'object' && body !== null && 'code' in body && 'detail' in body;
}

/** Turn whatever came back into an ApiError with words a person can read. */
export function toApiError(body: unknown, response?: Response): ApiError {
  if (isProblem(body)) return new ApiError({ ...body, status: body.status ?? response?.status ?? 0 });
  const status = response?.status ?? 0;
  return new ApiError({
    status,
    code: status ? `http_${status}` : 'network_error',
    detail: status
      ? `The bank answered with an unexpected error (${status}). Please try again.`
      : 'We could not reach the bank. Check your connection and try again.',
  });
}

/** The sentence to show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === 'TypeError') {
    return 'We could not reach the bank. Check your connection and try again.';
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}
