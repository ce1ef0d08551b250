/**
 * The one error type. Every failure a client can see is an AppError with a stable code;
 * src/http/middleware/problem.ts is the only place that turns it into problem+json.
 * `expose: false` means the client gets the generic title only, never `message`.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly expose?: boolean;
  readonly errors?: readonly FieldError[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly expose: boolean;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: string, options: AppErrorOptions) {
    super(options.detail ?? options.title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status;
    this.title = options.title;
    this.detail = options.detail;
    this.expose = options.expose ?? options.status < 500;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
